//! Standing offers (*aanbod*) in a demo tenant: a few helpers publish an offer in their own
//! words (one through their connector), one is reworded, one paused for a holiday and resumed,
//! one withdrawn, and neighbours take them up; each take-up is resolved by its requester.

use chrono::{DateTime, Duration, Utc};
use noaber_domain::offer::{
    PauseStandingOffer, PublishStandingOffer, ResumeStandingOffer, StandingOfferFacts,
    StandingOfferStatus, UpdateStandingOffer, WithdrawReason, WithdrawStandingOffer,
};
use noaber_domain::request::{
    Compensation, PostRequest, ResolveRequest, ResolvedBy, TakeUpStandingOffer,
};
use noaber_domain::values::{
    CategoryCode, Channel, DigitalAccess, HandsNeeded, Minutes, SkillCode, Urgency, ValueError,
    Visibility,
};
use noaber_domain::{
    NeighbourhoodId, PersonId, Personal, RequestCommand, RequestId, Role, StandingOfferCommand,
    StandingOfferId,
};

use super::{Member, TenantPlanner};
use crate::{words, DemoCommand};

/// One published offer, as the planner follows it.
struct Offered {
    id: StandingOfferId,
    helper: PersonId,
    neighbourhood: NeighbourhoodId,
    category: CategoryCode,
    skill: SkillCode,
}

impl TenantPlanner {
    /// Plans the standing offers of the tenant: one per entry of [`words::STANDING_OFFERS`].
    pub(super) fn standing_offers(&mut self) -> Result<(), ValueError> {
        for (i, &(title, text, category, skill)) in words::STANDING_OFFERS.iter().enumerate() {
            let published = self.start + Duration::days(45 + 120 * i as i64);
            let hood = i % self.neighbourhoods.len().max(1);
            let Some(helper) = self.member_of(hood, published, true, None) else {
                continue;
            };
            let Some(&(neighbourhood, _)) = self.neighbourhoods.get(hood) else {
                continue;
            };
            let offer = Offered {
                id: StandingOfferId::new(self.rng.uuid_v7(published)),
                helper: helper.id,
                neighbourhood,
                category: CategoryCode::parse(category)?,
                skill: SkillCode::parse(skill)?,
            };
            let availability = self.availability();
            // The second helper does not use the app: their connector publishes for them.
            let ctx = if i == 1 {
                let c = self.connector(hood);
                self.ctx(c.id, c.role, published).acting_for(offer.helper)
            } else {
                self.ctx(offer.helper, Role::Helper, published)
            };
            self.push(
                ctx,
                offer_command(PublishStandingOffer {
                    standing_offer_id: offer.id,
                    helper: offer.helper,
                    title: Personal::clear(offer.helper, title),
                    description: Some(Personal::clear(offer.helper, text)),
                    category: offer.category.clone(),
                    skills: vec![offer.skill.clone()],
                    neighbourhoods: vec![offer.neighbourhood],
                    availability,
                    until: None,
                }),
            );
            self.take_up(&offer, published + Duration::days(20))?;
            match i {
                0 => {
                    let at = published + Duration::days(30);
                    let change = UpdateStandingOffer {
                        title: Some(Personal::clear(
                            offer.helper,
                            "Ik rijd op dinsdag en donderdag naar het ziekenhuis",
                        )),
                        ..UpdateStandingOffer::of(offer.id)
                    };
                    self.by_helper(&offer, at, change);
                    self.take_up(&offer, published + Duration::days(60))?;
                    // A holiday: paused for three weeks, then offered again.
                    let pause = PauseStandingOffer {
                        standing_offer_id: offer.id,
                    };
                    self.by_helper(&offer, published + Duration::days(100), pause);
                    let resume = ResumeStandingOffer {
                        standing_offer_id: offer.id,
                    };
                    self.by_helper(&offer, published + Duration::days(121), resume);
                }
                1 => {
                    let c = self.connector(hood);
                    let at = published + Duration::days(200);
                    let ctx = self.ctx(c.id, c.role, at).acting_for(offer.helper);
                    self.push(
                        ctx,
                        offer_command(WithdrawStandingOffer {
                            standing_offer_id: offer.id,
                            reason: WithdrawReason::NoLongerOffered,
                        }),
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A member of neighbourhood `hood` registered before `at`, who uses the app, a helper or
    /// not, and not `except`.
    fn member_of(
        &mut self,
        hood: usize,
        at: DateTime<Utc>,
        helper: bool,
        except: Option<PersonId>,
    ) -> Option<Member> {
        let candidates: Vec<Member> = self
            .members
            .iter()
            .filter(|m| {
                m.neighbourhood == hood
                    && m.helper == helper
                    && m.since < at - Duration::days(7)
                    && m.access == DigitalAccess::Digital
                    && Some(m.id) != except
            })
            .cloned()
            .collect();
        self.rng.pick(&candidates).cloned()
    }

    /// The helper changes their offer at `at`.
    fn by_helper(
        &mut self,
        offer: &Offered,
        at: DateTime<Utc>,
        command: impl Into<StandingOfferCommand>,
    ) {
        let ctx = self.ctx(offer.helper, Role::Helper, at);
        self.push(ctx, DemoCommand::StandingOffer(command.into()));
    }

    /// A neighbour takes `offer` up at `at` (a request matched to its helper in one append),
    /// and says it is solved three days later.
    fn take_up(&mut self, offer: &Offered, at: DateTime<Utc>) -> Result<(), ValueError> {
        let hood = self
            .neighbourhoods
            .iter()
            .position(|(id, _)| *id == offer.neighbourhood)
            .unwrap_or_default();
        let Some(requester) = self.member_of(hood, at, false, Some(offer.helper)) else {
            return Ok(());
        };
        let request_id = RequestId::new(self.rng.uuid_v7(at));
        let description = self.personal_text(requester.id, words::TAKE_UPS);
        self.involved_now = vec![offer.helper, requester.id];
        let ctx = self.ctx(requester.id, Role::Resident, at);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::TakeUp(TakeUpStandingOffer {
                post: PostRequest {
                    request_id,
                    requester: requester.id,
                    channel: Channel::App,
                    category: offer.category.clone(),
                    target_group: None,
                    neighbourhood_id: offer.neighbourhood,
                    location: Some(requester.location),
                    description,
                    urgency: Urgency::Normal,
                    needed_by: None,
                    anonymous: false,
                    visibility: Visibility::Neighbourhood,
                    hands_needed: HandsNeeded::ONE,
                    skills_wanted: vec![offer.skill.clone()],
                    referred_by: None,
                    consent: None,
                },
                standing_offer_id: offer.id,
                // What the API finds in the offer's stream: it is open at every take-up planned.
                offer: Some(StandingOfferFacts {
                    status: StandingOfferStatus::Open,
                    helper: offer.helper,
                    neighbourhoods: vec![offer.neighbourhood],
                    until: None,
                }),
            })),
        );
        let solved = at + Duration::days(3);
        let ctx = self.ctx(requester.id, Role::Resident, solved);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Resolve(ResolveRequest {
                request_id,
                resolution: ResolvedBy::Neighbour,
                helpers_credited: vec![offer.helper],
                minutes_given: Some(Minutes::new(90)?),
                compensation: Compensation::None,
            })),
        );
        self.involved_now.clear();
        Ok(())
    }
}

fn offer_command(command: impl Into<StandingOfferCommand>) -> DemoCommand {
    DemoCommand::StandingOffer(command.into())
}
