//! The history of one demo tenant, planned as a time-ordered list of commands.
//!
//! The planner keeps its own small model of the world (who is registered, who helps, what each
//! request is waiting for) so that it only ever asks for commands the domain accepts; every
//! command still goes through the domain's `decide` when it is executed. Each request's life is
//! scripted when it is posted (triage, offers, matches, referral, resolution or closing,
//! reopening, feedback) as steps with increasing simulated times; the scripts of all requests
//! are then merged in time order and cut at the end of the simulated period, so recent requests
//! are still open, as in a real neighbourhood. A few helpers also publish standing offers that
//! neighbours take up ([`offers`]).

mod offers;

use chrono::{DateTime, Duration, Utc};
use noaber_domain::call::{AnswerCall, CloseCall, PublishCall};
use noaber_domain::call::{CallCloseReason, CallField, CallScope};
use noaber_domain::neighbourhood::RegisterNeighbourhood;
use noaber_domain::organisation::{OfferServices, RegisterOrganisation};
use noaber_domain::organisation::{OrganisationKind, OrganisationStatus};
use noaber_domain::person::{
    DeclareSkills, ErasePerson, OptInAsHelper, OptOutAsHelper, RegisterPerson, UpdateProfile,
};
use noaber_domain::request::{
    CancelMatch, CloseRequest, CorrectRequest, GiveFeedback, MatchHelper, OfferHelp, PostRequest,
    RecordReferralOutcome, ReferRequest, ReopenRequest, ResolveRequest, TriageRequest, VoidRequest,
    WithdrawOffer,
};
use noaber_domain::request::{
    CancelReason, CloseReason, Compensation, ReferralOutcome, ResolvedBy, TriageRoute,
};
use noaber_domain::taxonomy::taxonomy;
use noaber_domain::tenant::RegisterTenant;
use noaber_domain::values::{
    ApproxLocation, Availability, CategoryCode, Channel, ConsentBasis, DigitalAccess, DisplayName,
    Distance, HandsNeeded, Language, Minutes, PartOfDay, Rating, SkillCode, Slot, TargetGroupCode,
    Urgency, ValueError, Visibility, Weekday,
};
use noaber_domain::{
    CallCommand, CallId, CommandContext, NeighbourhoodCommand, NeighbourhoodId,
    OrganisationCommand, OrganisationId, PersonCommand, PersonId, Personal, RequestCommand,
    RequestId, Role, TenantCommand, TenantId,
};

use super::rng::DemoRng;
use super::words;
use super::{DemoCommand, Step};

/// How big one tenant's history is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantSize {
    /// Neighbourhoods.
    pub neighbourhoods: usize,
    /// Residents who are not helpers (some of them ask for help).
    pub residents: usize,
    /// Helpers (residents who opted in, with skills).
    pub helpers: usize,
    /// Partner organisations.
    pub organisations: usize,
    /// Help requests over the period.
    pub requests: usize,
    /// Calls over the period.
    pub calls: usize,
    /// Length of the simulated period in days.
    pub days: i64,
}

impl TenantSize {
    /// The small demo: two neighbourhoods, 150 residents, 70 helpers, 400 requests in 18 months.
    pub const SMALL: TenantSize = TenantSize {
        neighbourhoods: 2,
        residents: 150,
        helpers: 70,
        organisations: 5,
        requests: 400,
        calls: 2,
        days: 548,
    };
}

/// The start of every simulated period: 1 January 2024, 08:00 UTC.
pub fn period_start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_704_096_000, 0).unwrap_or_default()
}

/// A person the planner knows about.
#[derive(Clone, Debug)]
struct Member {
    id: PersonId,
    neighbourhood: usize,
    location: ApproxLocation,
    access: DigitalAccess,
    /// When they were registered (and, for helpers, opted in a little later).
    since: DateTime<Utc>,
    helper: bool,
    available_for_calls: bool,
    /// Residents who ask for help more often than others.
    frequent: bool,
}

/// A staff member: connector, partner staff or admin.
#[derive(Clone, Copy, Debug)]
struct Staff {
    id: PersonId,
    role: Role,
}

/// A scheduled step: time, a tie-breaking sequence number, and the step.
type Scheduled = (DateTime<Utc>, u64, Step);

/// Plans one tenant's whole history.
pub struct TenantPlanner {
    rng: DemoRng,
    size: TenantSize,
    index: u64,
    tenant: TenantId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    admin: PersonId,
    connectors: Vec<Staff>,
    partners: Vec<(Staff, OrganisationId)>,
    organisations: Vec<OrganisationId>,
    neighbourhoods: Vec<(NeighbourhoodId, ApproxLocation)>,
    members: Vec<Member>,
    steps: Vec<Scheduled>,
    seq: u64,
    /// Per person: the last time they act in the plan (to place erasures and opt-outs safely).
    last_act: std::collections::HashMap<PersonId, DateTime<Utc>>,
    /// The people of the request being scripted: every step of it counts as them acting.
    involved_now: Vec<PersonId>,
}

impl std::fmt::Debug for TenantPlanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantPlanner")
            .field("index", &self.index)
            .field("tenant", &self.tenant)
            .field("steps", &self.steps.len())
            .finish()
    }
}

fn minutes(m: u64) -> Duration {
    Duration::minutes(i64::try_from(m).unwrap_or(i64::MAX / 100_000))
}

impl TenantPlanner {
    /// A planner for tenant number `index` of the history of `seed`.
    pub fn new(seed: u64, index: u64, size: TenantSize) -> Self {
        let mut rng = DemoRng::derive(seed, index);
        let start = period_start();
        let tenant = TenantId::new(rng.uuid_v7(start - Duration::days(60)));
        let admin = PersonId::new(rng.uuid_v7(start - Duration::days(60)));
        Self {
            rng,
            size,
            index,
            tenant,
            start,
            end: start + Duration::days(size.days),
            admin,
            connectors: Vec::new(),
            partners: Vec::new(),
            organisations: Vec::new(),
            neighbourhoods: Vec::new(),
            members: Vec::new(),
            steps: Vec::new(),
            seq: 0,
            last_act: std::collections::HashMap::new(),
            involved_now: Vec::new(),
        }
    }

    /// Plans the whole history and returns its commands in time order.
    pub fn plan(mut self) -> Result<Vec<Step>, ValueError> {
        self.setup()?;
        self.people()?;
        for i in 0..self.size.requests {
            self.request(i)?;
        }
        for i in 0..self.size.calls {
            self.call(i)?;
        }
        self.standing_offers()?;
        self.void_one()?;
        self.departures();
        let end = self.end;
        let mut steps = self.steps;
        steps.retain(|(at, _, _)| *at <= end);
        steps.sort_by_key(|(at, seq, _)| (*at, *seq));
        Ok(steps.into_iter().map(|(_, _, step)| step).collect())
    }

    fn ctx(&mut self, actor: PersonId, role: Role, now: DateTime<Utc>) -> CommandContext {
        let command_id = self.rng.uuid_v7(now);
        CommandContext::new(self.tenant, actor, role, now, command_id)
    }

    fn push(&mut self, ctx: CommandContext, command: DemoCommand) {
        let at = ctx.now;
        self.last_act
            .entry(ctx.actor_id)
            .and_modify(|t| *t = (*t).max(at))
            .or_insert(at);
        if let Some(p) = ctx.on_behalf_of {
            self.touch(p, at);
        }
        for p in self.involved_now.clone() {
            self.touch(p, at);
        }
        self.seq += 1;
        self.steps.push((at, self.seq, Step { ctx, command }));
    }

    fn touch(&mut self, person: PersonId, at: DateTime<Utc>) {
        self.last_act
            .entry(person)
            .and_modify(|t| *t = (*t).max(at))
            .or_insert(at);
    }

    fn pick_word(&mut self, list: &[&'static str]) -> &'static str {
        self.rng.pick(list).copied().unwrap_or("")
    }

    fn name(&mut self) -> String {
        let first = self.pick_word(words::FIRST_NAMES);
        let family = self.pick_word(words::FAMILY_NAMES);
        format!("{first} {family}")
    }

    fn near(
        &mut self,
        centre: ApproxLocation,
        spread_m: f64,
    ) -> Result<ApproxLocation, ValueError> {
        // About 111 km per degree of latitude; longitude degrees are shorter at these latitudes.
        let dlat = (self.rng.unit() * 2.0 - 1.0) * spread_m / 111_000.0;
        let dlon = (self.rng.unit() * 2.0 - 1.0) * spread_m / 70_000.0;
        ApproxLocation::new(centre.lat() + dlat, centre.lon() + dlon)
    }

    fn setup(&mut self) -> Result<(), ValueError> {
        let t0 = self.start - Duration::days(60);
        let admin = self.admin;
        // The admin registers themselves first: every later actor is a registered person.
        let first_hood = NeighbourhoodId::new(self.rng.uuid_v7(t0));
        let base = self.base_location()?;
        let ctx = self.ctx(admin, Role::Admin, t0);
        let admin_name = self.name();
        self.push(
            ctx.clone(),
            DemoCommand::Person(PersonCommand::Register(RegisterPerson {
                person_id: admin,
                name: Personal::clear(admin, admin_name),
                contact: None,
                address: None,
                neighbourhood_id: first_hood,
                location: None,
                languages: vec![Language::parse("nl")?],
                digital_access: DigitalAccess::Digital,
                consent: Some(ConsentBasis::ExplicitConsent),
                channel: None,
            })),
        );
        let tenant_name = match words::TENANTS.get(self.index as usize) {
            Some(name) => (*name).to_owned(),
            None => format!("Burenhulp {}", self.index + 1),
        };
        let ctx = self.ctx(admin, Role::Admin, t0 + minutes(5));
        self.push(
            ctx,
            DemoCommand::Tenant(TenantCommand::Register(RegisterTenant {
                tenant_id: self.tenant,
                name: DisplayName::parse(&tenant_name)?,
                default_language: Language::parse("nl")?,
            })),
        );
        for n in 0..self.size.neighbourhoods {
            let at = t0 + minutes(10 + n as u64);
            let id = if n == 0 {
                first_hood
            } else {
                NeighbourhoodId::new(self.rng.uuid_v7(at))
            };
            let centroid = ApproxLocation::new(
                base.lat() + 0.012 * (n % 4) as f64,
                base.lon() + 0.018 * (n / 4) as f64,
            )?;
            let name = match words::NEIGHBOURHOODS.get(n) {
                Some(name) => (*name).to_owned(),
                None => format!("Wijk {}", n + 1),
            };
            let ctx = self.ctx(admin, Role::Admin, at);
            self.push(
                ctx,
                DemoCommand::Neighbourhood(NeighbourhoodCommand::Register(RegisterNeighbourhood {
                    neighbourhood_id: id,
                    name: DisplayName::parse(&name)?,
                    centroid,
                    radius: Distance::from_metres(900)?,
                })),
            );
            self.neighbourhoods.push((id, centroid));
        }
        let kinds = [
            (OrganisationKind::SocialService, "Sociaal Huis"),
            (OrganisationKind::CareProvider, "Thuiszorg De Linde"),
            (OrganisationKind::GpPractice, "Huisartsenpraktijk Brink"),
            (OrganisationKind::Craft, "Klussendienst Samen"),
            (OrganisationKind::HousingAssociation, "Woonstichting Thuis"),
            (OrganisationKind::VolunteerOrganisation, "Vrijwilligerspunt"),
        ];
        let categories: Vec<CategoryCode> = taxonomy()
            .categories()
            .iter()
            .map(|c| CategoryCode::parse(c.code))
            .collect::<Result<_, _>>()?;
        let hoods: Vec<NeighbourhoodId> = self.neighbourhoods.iter().map(|(id, _)| *id).collect();
        for o in 0..self.size.organisations {
            let at = t0 + Duration::hours(1) + minutes(o as u64);
            let id = OrganisationId::new(self.rng.uuid_v7(at));
            let (kind, name) = kinds[o % kinds.len()];
            let name = if o < kinds.len() {
                name.to_owned()
            } else {
                format!("{name} {}", o / kinds.len() + 1)
            };
            let ctx = self.ctx(admin, Role::Admin, at);
            self.push(
                ctx,
                DemoCommand::Organisation(OrganisationCommand::Register(RegisterOrganisation {
                    organisation_id: id,
                    name: DisplayName::parse(&name)?,
                    kind,
                })),
            );
            let mut offered = Vec::new();
            for c in &categories {
                if self.rng.chance(0.5) || offered.is_empty() {
                    offered.push(c.clone());
                }
            }
            let ctx = self.ctx(admin, Role::Admin, at + minutes(1));
            self.push(
                ctx,
                DemoCommand::Organisation(OrganisationCommand::OfferServices(OfferServices {
                    organisation_id: id,
                    categories: offered,
                    neighbourhoods: hoods.clone(),
                })),
            );
            self.organisations.push(id);
        }
        // Staff: a connector per neighbourhood (at least two), a partner staff member for the
        // first two organisations. The admin registers them.
        let connectors = self.size.neighbourhoods.max(2);
        for c in 0..connectors + 2.min(self.organisations.len()) {
            let at = t0 + Duration::hours(2) + minutes(c as u64);
            let id = PersonId::new(self.rng.uuid_v7(at));
            let hood = c % self.neighbourhoods.len().max(1);
            let (hood_id, _) = self
                .neighbourhoods
                .get(hood)
                .copied()
                .unwrap_or((first_hood, base));
            let name = self.name();
            let ctx = self.ctx(admin, Role::Admin, at);
            let phone = format!("06-{:08}", self.rng.below(100_000_000));
            self.push(
                ctx,
                DemoCommand::Person(PersonCommand::Register(RegisterPerson {
                    person_id: id,
                    name: Personal::clear(id, name),
                    contact: Some(Personal::clear(id, phone)),
                    address: None,
                    neighbourhood_id: hood_id,
                    location: None,
                    languages: vec![Language::parse("nl")?],
                    digital_access: DigitalAccess::Digital,
                    consent: Some(ConsentBasis::ExplicitConsent),
                    channel: None,
                })),
            );
            if c < connectors {
                self.connectors.push(Staff {
                    id,
                    role: Role::Connector,
                });
            } else if let Some(org) = self.organisations.get(c - connectors).copied() {
                self.partners.push((
                    Staff {
                        id,
                        role: Role::Partner,
                    },
                    org,
                ));
            }
        }
        Ok(())
    }

    fn base_location(&mut self) -> Result<ApproxLocation, ValueError> {
        // Tenants are spread over the Low Countries on a grid, one town per tenant.
        let i = self.index;
        ApproxLocation::new(
            50.80 + 0.11 * (i % 20) as f64,
            3.60 + 0.17 * ((i / 20) % 20) as f64,
        )
    }

    fn connector(&mut self, neighbourhood: usize) -> Staff {
        let n = self.connectors.len().max(1);
        let i = if self.rng.chance(0.8) {
            neighbourhood % n
        } else {
            self.rng.index(n)
        };
        self.connectors.get(i).copied().unwrap_or(Staff {
            id: self.admin,
            role: Role::Admin,
        })
    }

    fn people(&mut self) -> Result<(), ValueError> {
        let total = self.size.residents + self.size.helpers;
        for p in 0..total {
            let helper = p >= self.size.residents;
            // Most people join before the period starts; a quarter join during it (new helpers).
            let since = if self.rng.chance(0.75) {
                self.start - Duration::days(50) + minutes(self.rng.below(45 * 24 * 60))
            } else {
                self.start + minutes(self.rng.below((self.size.days as u64 - 30) * 24 * 60))
            };
            let neighbourhood = self.rng.index(self.neighbourhoods.len());
            let (hood_id, centroid) = self.neighbourhoods[neighbourhood];
            let access = if helper {
                [DigitalAccess::Digital, DigitalAccess::WithHelp][self.rng.weighted(&[9, 1])]
            } else {
                [
                    DigitalAccess::Digital,
                    DigitalAccess::WithHelp,
                    DigitalAccess::Offline,
                ][self.rng.weighted(&[55, 27, 18])]
            };
            let id = PersonId::new(self.rng.uuid_v7(since));
            let location = self.near(centroid, 800.0)?;
            let name = self.name();
            let street = self.pick_word(words::STREETS);
            let number = self.rng.range(1, 140);
            let languages = match self.rng.weighted(&[70, 10, 10, 10]) {
                0 => vec![Language::parse("nl")?],
                1 => vec![Language::parse("nl")?, Language::parse("en")?],
                2 => vec![Language::parse("fr")?, Language::parse("nl")?],
                _ => vec![Language::parse("ar")?, Language::parse("nl")?],
            };
            let (actor, role) = if access == DigitalAccess::Digital {
                (id, Role::Resident)
            } else {
                let c = self.connector(neighbourhood);
                (c.id, c.role)
            };
            let ctx = self.ctx(actor, role, since);
            let contact = Personal::clear(id, format!("06-{:08}", self.rng.below(100_000_000)));
            self.push(
                ctx,
                DemoCommand::Person(PersonCommand::Register(RegisterPerson {
                    person_id: id,
                    name: Personal::clear(id, name),
                    contact: Some(contact),
                    address: Some(Personal::clear(id, format!("{street} {number}"))),
                    neighbourhood_id: hood_id,
                    location: Some(location),
                    languages,
                    digital_access: access,
                    consent: Some(ConsentBasis::ExplicitConsent),
                    channel: None,
                })),
            );
            let mut available_for_calls = false;
            // Helpers declare skills and opt in; some other residents declare talents too.
            if helper || self.rng.chance(0.12) {
                available_for_calls = self.rng.chance(0.6);
                let skills = self.skills()?;
                let availability = self.availability();
                let max_distance = Distance::from_metres(500 * self.rng.range(1, 8) as u32)?;
                let ctx = self.ctx(actor, role, since + minutes(20));
                self.push(
                    ctx,
                    DemoCommand::Person(PersonCommand::DeclareSkills(DeclareSkills {
                        person_id: id,
                        skills,
                        availability,
                        max_distance,
                        available_for_calls,
                    })),
                );
            }
            if helper {
                let ctx = self.ctx(actor, role, since + minutes(30));
                self.push(
                    ctx,
                    DemoCommand::Person(PersonCommand::OptIn(OptInAsHelper { person_id: id })),
                );
            }
            if self.rng.chance(0.04) {
                let at = since + Duration::days(self.rng.range(20, 200) as i64);
                let ctx = self.ctx(actor, role, at);
                let contact = Personal::clear(id, format!("06-{:08}", self.rng.below(100_000_000)));
                self.push(
                    ctx,
                    DemoCommand::Person(PersonCommand::UpdateProfile(UpdateProfile {
                        person_id: id,
                        name: None,
                        contact: Some(contact),
                        address: None,
                        neighbourhood_id: None,
                        location: None,
                        languages: None,
                        digital_access: None,
                    })),
                );
            }
            let frequent = !helper && self.rng.chance(0.3);
            self.members.push(Member {
                id,
                neighbourhood,
                location,
                access,
                since,
                helper,
                available_for_calls,
                frequent,
            });
        }
        Ok(())
    }

    fn skills(&mut self) -> Result<Vec<SkillCode>, ValueError> {
        let all = taxonomy().skills();
        let n = self.rng.range(2, 5) as usize;
        let mut codes: Vec<&str> = (0..n)
            .filter_map(|_| self.rng.pick(all).map(|s| s.code))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes.into_iter().map(SkillCode::parse).collect()
    }

    fn availability(&mut self) -> Availability {
        let n = self.rng.range(3, 9);
        Availability::from_slots((0..n).filter_map(|_| {
            let day = *self.rng.pick(Weekday::ALL)?;
            let part = *self.rng.pick(PartOfDay::ALL)?;
            Some(Slot { day, part })
        }))
    }

    /// Helpers who can act at `at`: opted in by then, not the requester, nearest neighbourhood
    /// first (a few from elsewhere).
    fn helpers_for(
        &mut self,
        at: DateTime<Utc>,
        neighbourhood: usize,
        not: &[PersonId],
        n: usize,
    ) -> Vec<PersonId> {
        let ready = at - Duration::hours(1);
        let candidates: Vec<(PersonId, bool)> = self
            .members
            .iter()
            .filter(|m| m.helper && m.since < ready && !not.contains(&m.id))
            .map(|m| (m.id, m.neighbourhood == neighbourhood))
            .collect();
        let mut chosen = Vec::new();
        let mut tries = 0;
        while chosen.len() < n && tries < 50 && !candidates.is_empty() {
            tries += 1;
            let Some(&(id, local)) = self.rng.pick(&candidates) else {
                break;
            };
            if (local || self.rng.chance(0.2)) && !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        chosen
    }

    fn personal_text(&mut self, subject: PersonId, list: &[&'static str]) -> Personal {
        let text = self.pick_word(list);
        Personal::clear(subject, text)
    }

    fn request(&mut self, i: usize) -> Result<(), ValueError> {
        self.involved_now.clear();
        let planned = self.request_inner(i);
        self.involved_now.clear();
        planned
    }

    #[allow(clippy::too_many_lines)]
    fn request_inner(&mut self, i: usize) -> Result<(), ValueError> {
        // Requests arrive spread over the period, a little busier in winter.
        let span_min = (self.size.days as u64 - 2) * 24 * 60;
        let mut posted = self.start + minutes(self.rng.below(span_min));
        let month = chrono::Datelike::month(&posted);
        if matches!(month, 6..=8) && self.rng.chance(0.25) {
            posted -= Duration::days(120);
            posted = posted.max(self.start);
        }
        // The requester: someone registered by then, frequent askers more often.
        let eligible: Vec<usize> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.since < posted - Duration::hours(2) && (!m.helper || i % 10 == 0))
            .map(|(i, _)| i)
            .collect();
        let weights: Vec<u32> = eligible
            .iter()
            .map(|&i| if self.members[i].frequent { 6 } else { 1 })
            .collect();
        let Some(&who) = eligible.get(self.rng.weighted(&weights)) else {
            return Ok(());
        };
        let requester = self.members[who].clone();
        let hood = requester.neighbourhood;
        let (hood_id, _) = self.neighbourhoods[hood];
        let request_id = RequestId::new(self.rng.uuid_v7(posted));
        let connector = self.connector(hood);
        self.involved_now.push(requester.id);

        // Channel and who writes it down follow how the resident uses Noaber.
        let channel = match requester.access {
            DigitalAccess::Digital => {
                [Channel::App, Channel::MatchPoint][self.rng.weighted(&[9, 1])]
            }
            DigitalAccess::WithHelp => {
                [Channel::MatchPoint, Channel::Phone, Channel::App][self.rng.weighted(&[5, 4, 1])]
            }
            DigitalAccess::Offline => {
                [Channel::HomeVisit, Channel::Phone, Channel::PartnerReferral]
                    [self.rng.weighted(&[5, 3, 2])]
            }
        };
        let partner = if channel == Channel::PartnerReferral {
            self.rng.pick(&self.partners).copied()
        } else {
            None
        };
        let channel = if channel == Channel::PartnerReferral && partner.is_none() {
            Channel::Phone
        } else {
            channel
        };
        let self_posted = channel == Channel::App
            || (channel == Channel::MatchPoint && requester.access == DigitalAccess::Digital);
        let mut ctx = if self_posted {
            self.ctx(requester.id, Role::Resident, posted)
        } else if let Some((staff, _)) = partner {
            self.ctx(staff.id, staff.role, posted)
                .acting_for(requester.id)
        } else {
            self.ctx(connector.id, connector.role, posted)
                .acting_for(requester.id)
        };
        let mut now = posted;
        if channel == Channel::HomeVisit {
            // Written down after the visit: recorded later, back-dated to when it happened.
            now = posted + Duration::hours(self.rng.range(3, 40) as i64);
            ctx.now = now;
            ctx = ctx.happened_at(posted);
        }
        let categories = taxonomy().categories();
        let Some(category) = self.rng.pick(categories) else {
            return Ok(());
        };
        let mut skills_wanted = Vec::new();
        if self.rng.chance(0.5) {
            if let Some(skill) = self.rng.pick(&category.skills) {
                skills_wanted.push(SkillCode::parse(skill)?);
            }
        }
        let target_group = if self.rng.chance(0.7) {
            match self.rng.pick(taxonomy().target_groups()) {
                Some(t) => Some(TargetGroupCode::parse(t.code)?),
                None => None,
            }
        } else {
            None
        };
        let urgency = [
            Urgency::Low,
            Urgency::Normal,
            Urgency::High,
            Urgency::Urgent,
        ][self.rng.weighted(&[20, 55, 18, 7])];
        let opening = self.pick_word(words::OPENINGS);
        let detail = self.pick_word(words::DETAILS);
        let description = Personal::clear(
            requester.id,
            format!("{opening} {}. {detail}", category.labels.nl.to_lowercase()),
        );
        let hands = if self.rng.chance(0.07) { 2 } else { 1 };
        let location = self.near(requester.location, 150.0)?;
        let needed_by = if self.rng.chance(0.5) {
            Some(now + Duration::days(self.rng.range(3, 21) as i64))
        } else {
            None
        };
        let anonymous = self.rng.chance(0.15);
        let visibility = if self.rng.chance(0.1) {
            Visibility::Connectors
        } else {
            Visibility::Neighbourhood
        };
        let referred_by = partner.map(|(_, org)| org);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Post(PostRequest {
                request_id,
                requester: requester.id,
                channel,
                category: CategoryCode::parse(category.code)?,
                target_group,
                neighbourhood_id: hood_id,
                location: Some(location),
                description,
                urgency,
                needed_by,
                anonymous,
                visibility,
                hands_needed: HandsNeeded::new(hands)?,
                skills_wanted,
                referred_by,
                // The demo's residents consent to what they ask, whoever takes it down.
                consent: Some(ConsentBasis::ExplicitConsent),
            })),
        );
        let mut script = Script {
            request_id,
            requester: requester.id,
            self_posted,
            hood,
            connector,
            now,
            hands: hands as usize,
            matched: Vec::new(),
            involved: vec![requester.id],
        };

        // A few requests are never looked at before the period ends (the queue shows them).
        if self.rng.chance(0.03) {
            return Ok(());
        }
        script.now += Duration::minutes(self.rng.range(30, 30 * 60) as i64);
        let professional = self.rng.chance(0.14);
        let route = if professional {
            TriageRoute::Professional
        } else {
            TriageRoute::Informal
        };
        let note = if self.rng.chance(0.3) {
            Some(self.personal_text(requester.id, words::NOTES))
        } else {
            None
        };
        let c = script.connector;
        let ctx = self.ctx(c.id, c.role, script.now);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Triage(TriageRequest {
                request_id,
                route,
                note,
            })),
        );

        if self.rng.chance(0.02) {
            // The connector sees the category was wrong and corrects it.
            let other = self
                .rng
                .pick(categories)
                .map(|c| c.code)
                .unwrap_or(category.code);
            if other != category.code {
                script.now += Duration::minutes(10);
                let ctx = self.ctx(c.id, c.role, script.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::Correct(CorrectRequest {
                        request_id,
                        category: Some(CategoryCode::parse(other)?),
                        target_group: None,
                        neighbourhood_id: None,
                        urgency: None,
                        channel: None,
                    })),
                );
            }
        }

        let mut to_neighbours = !professional;
        if professional {
            to_neighbours = self.referral(&mut script)?;
            if !to_neighbours {
                return Ok(());
            }
        }
        if to_neighbours {
            let resolved = self.neighbour_help(&mut script)?;
            if resolved && self.rng.chance(0.03) {
                // Reopened: it turned out not to be solved; a new helper finishes the job.
                script.now += Duration::days(self.rng.range(2, 20) as i64);
                let ctx = self.ctx(c.id, c.role, script.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::Reopen(ReopenRequest { request_id })),
                );
                script.matched.clear();
                script.hands = 1;
                let _ = self.neighbour_help(&mut script)?;
            }
        }
        Ok(())
    }

    /// A referral to an organisation; returns true when the request goes back to neighbours.
    fn referral(&mut self, s: &mut Script) -> Result<bool, ValueError> {
        let Some(&organisation_id) = self.rng.pick(&self.organisations) else {
            return Ok(true);
        };
        s.now += Duration::hours(self.rng.range(1, 48) as i64);
        let reason = if self.rng.chance(0.5) {
            Some(self.personal_text(s.requester, words::NOTES))
        } else {
            None
        };
        let ctx = self.ctx(s.connector.id, s.connector.role, s.now);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Refer(ReferRequest {
                request_id: s.request_id,
                organisation_id,
                organisation_status: OrganisationStatus::Active,
                reason,
            })),
        );
        if self.rng.chance(0.12) {
            // No outcome recorded: the connector queue shows it after 14 days.
            return Ok(false);
        }
        let partner = self
            .partners
            .iter()
            .find(|(_, org)| *org == organisation_id)
            .map(|(staff, _)| *staff)
            .unwrap_or(s.connector);
        s.now += Duration::days(self.rng.range(2, 16) as i64);
        let outcome = [
            ReferralOutcome::Helped,
            ReferralOutcome::Accepted,
            ReferralOutcome::Declined,
            ReferralOutcome::NotReached,
        ][self.rng.weighted(&[60, 20, 12, 8])];
        let note = if self.rng.chance(0.3) {
            Some(self.personal_text(s.requester, words::NOTES))
        } else {
            None
        };
        let ctx = self.ctx(partner.id, partner.role, s.now);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::RecordReferralOutcome(
                RecordReferralOutcome {
                    request_id: s.request_id,
                    outcome,
                    note,
                },
            )),
        );
        match outcome {
            ReferralOutcome::Declined | ReferralOutcome::NotReached => Ok(true),
            ReferralOutcome::Accepted | ReferralOutcome::Helped => {
                if outcome == ReferralOutcome::Accepted {
                    s.now += Duration::days(self.rng.range(3, 30) as i64);
                } else {
                    s.now += Duration::hours(self.rng.range(1, 24) as i64);
                }
                let (actor, resolution) = if self.rng.chance(0.9) {
                    (partner, ResolvedBy::Professional)
                } else {
                    (s.connector, ResolvedBy::Requester)
                };
                let ctx = self.ctx(actor.id, actor.role, s.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::Resolve(ResolveRequest {
                        request_id: s.request_id,
                        resolution,
                        helpers_credited: Vec::new(),
                        minutes_given: None,
                        compensation: Compensation::None,
                    })),
                );
                Ok(false)
            }
        }
    }

    /// Offers, matches (with the odd cancellation) and the end of an informal request; returns
    /// true when it was resolved.
    #[allow(clippy::too_many_lines)]
    fn neighbour_help(&mut self, s: &mut Script) -> Result<bool, ValueError> {
        let request_id = s.request_id;
        let c = s.connector;
        // How it ends.
        let ending = self.rng.weighted(&[66, 6, 8, 4, 5, 2, 9]);
        // 0 neighbour, 1 self-solved, 2 no longer needed, 3 withdrawn, 4 unresolvable,
        // 5 duplicate, 6 stalls (stays open: offers but no match, or matched without result).
        if ending == 5 {
            s.now += Duration::hours(self.rng.range(1, 12) as i64);
            let ctx = self.ctx(c.id, c.role, s.now);
            self.push(
                ctx,
                DemoCommand::Request(RequestCommand::Close(CloseRequest {
                    request_id,
                    reason: CloseReason::Duplicate,
                })),
            );
            return Ok(false);
        }
        let want = s.hands + self.rng.below(3) as usize;
        let offering = self.helpers_for(s.now, s.hood, &s.involved.clone(), want);
        let mut offered = Vec::new();
        for helper in &offering {
            s.now += Duration::minutes(self.rng.range(20, 36 * 60) as i64);
            let message = if self.rng.chance(0.4) {
                Some(self.personal_text(*helper, words::OFFER_MESSAGES))
            } else {
                None
            };
            let ctx = self.ctx(*helper, Role::Helper, s.now);
            self.push(
                ctx,
                DemoCommand::Request(RequestCommand::Offer(OfferHelp {
                    request_id,
                    helper: *helper,
                    message,
                })),
            );
            offered.push(*helper);
            s.involved.push(*helper);
            self.involved_now.push(*helper);
        }
        if ending == 6 && self.rng.chance(0.5) {
            return Ok(false);
        }
        if matches!(ending, 1..=4) {
            s.now += Duration::hours(self.rng.range(2, 24 * 7) as i64);
            let ctx = if ending == 1 {
                if s.self_posted {
                    self.ctx(s.requester, Role::Resident, s.now)
                } else {
                    self.ctx(c.id, c.role, s.now)
                }
            } else if s.self_posted && ending == 3 {
                self.ctx(s.requester, Role::Resident, s.now)
            } else {
                self.ctx(c.id, c.role, s.now)
            };
            let command = if ending == 1 {
                RequestCommand::Resolve(ResolveRequest {
                    request_id,
                    resolution: ResolvedBy::Requester,
                    helpers_credited: Vec::new(),
                    minutes_given: None,
                    compensation: Compensation::None,
                })
            } else {
                let reason = match ending {
                    2 => CloseReason::NoLongerNeeded,
                    3 => CloseReason::Withdrawn,
                    _ => CloseReason::Unresolvable,
                };
                RequestCommand::Close(CloseRequest { request_id, reason })
            };
            self.push(ctx, DemoCommand::Request(command));
            return Ok(ending == 1);
        }
        // One offer is sometimes withdrawn before anyone is matched.
        if offered.len() > s.hands && self.rng.chance(0.15) {
            if let Some(helper) = offered.pop() {
                s.now += Duration::hours(self.rng.range(1, 24) as i64);
                let ctx = self.ctx(helper, Role::Helper, s.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::WithdrawOffer(WithdrawOffer {
                        request_id,
                        helper,
                    })),
                );
            }
        }
        // Matches: accept offers, or a connector matches directly when nobody offered.
        let mut direct_pool = Vec::new();
        while s.matched.len() < s.hands {
            s.now += Duration::hours(self.rng.range(1, 48) as i64);
            let use_offer = !offered.is_empty() && !self.rng.chance(0.12);
            let helper = if use_offer {
                offered.remove(0)
            } else {
                if direct_pool.is_empty() {
                    let mut not = s.involved.clone();
                    not.extend(s.matched.iter().copied());
                    direct_pool = self.helpers_for(s.now, s.hood, &not, 2);
                }
                match direct_pool.pop() {
                    Some(h) => h,
                    None => return Ok(false),
                }
            };
            let ctx = if use_offer && s.self_posted && self.rng.chance(0.7) {
                self.ctx(s.requester, Role::Resident, s.now)
            } else {
                self.ctx(c.id, c.role, s.now)
            };
            self.push(
                ctx,
                DemoCommand::Request(RequestCommand::Match(MatchHelper { request_id, helper })),
            );
            if !s.involved.contains(&helper) {
                s.involved.push(helper);
                self.involved_now.push(helper);
            }
            s.matched.push(helper);
            if self.rng.chance(0.07) {
                // The match falls through; the request is open to offers again.
                s.now += Duration::hours(self.rng.range(4, 72) as i64);
                let reason = [
                    CancelReason::HelperUnavailable,
                    CancelReason::RequesterDeclined,
                    CancelReason::NoShow,
                    CancelReason::Other,
                ][self.rng.weighted(&[5, 2, 2, 1])];
                let ctx = self.ctx(c.id, c.role, s.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::CancelMatch(CancelMatch {
                        request_id,
                        helper,
                        reason,
                    })),
                );
                s.matched.retain(|h| *h != helper);
            }
        }
        if ending == 6 {
            // Matched, but nobody reports back: the queue flags it after 7 days.
            return Ok(false);
        }
        s.now += Duration::hours(self.rng.range(3, 24 * 9) as i64);
        let who = self.rng.weighted(&[4, 3, 3]);
        let ctx = match (who, s.self_posted) {
            (0, true) => self.ctx(s.requester, Role::Resident, s.now),
            (1, _) => {
                let h = s.matched.first().copied().unwrap_or(s.requester);
                self.ctx(h, Role::Helper, s.now)
            }
            _ => self.ctx(c.id, c.role, s.now),
        };
        let minutes_given = if self.rng.chance(0.7) {
            Some(Minutes::new(15 * self.rng.range(2, 16) as u32)?)
        } else {
            None
        };
        let compensation = [
            Compensation::None,
            Compensation::Expenses,
            Compensation::Fee,
        ][self.rng.weighted(&[85, 12, 3])];
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Resolve(ResolveRequest {
                request_id,
                resolution: ResolvedBy::Neighbour,
                helpers_credited: s.matched.clone(),
                minutes_given,
                compensation,
            })),
        );
        // Feedback from the requester (when they use the app) and from a helper.
        if s.self_posted && self.rng.chance(0.55) {
            s.now += Duration::hours(self.rng.range(1, 72) as i64);
            let rating = Rating::new([5, 4, 3, 2][self.rng.weighted(&[60, 28, 9, 3])])?;
            let comment = if self.rng.chance(0.5) {
                Some(self.personal_text(s.requester, words::FEEDBACK))
            } else {
                None
            };
            let ctx = self.ctx(s.requester, Role::Resident, s.now);
            self.push(
                ctx,
                DemoCommand::Request(RequestCommand::GiveFeedback(GiveFeedback {
                    request_id,
                    rating,
                    comment,
                })),
            );
        }
        if self.rng.chance(0.25) {
            if let Some(h) = s.matched.first().copied() {
                s.now += Duration::hours(self.rng.range(1, 72) as i64);
                let rating = Rating::new([5, 4, 3][self.rng.weighted(&[70, 25, 5])])?;
                let ctx = self.ctx(h, Role::Helper, s.now);
                self.push(
                    ctx,
                    DemoCommand::Request(RequestCommand::GiveFeedback(GiveFeedback {
                        request_id,
                        rating,
                        comment: None,
                    })),
                );
            }
        }
        Ok(true)
    }

    fn call(&mut self, i: usize) -> Result<(), ValueError> {
        // The first call falls in the first winter; later ones spread over the period, the last
        // one shortly before the end so that it is still open.
        let published = if i == 0 {
            self.start + Duration::days(340)
        } else if i + 1 == self.size.calls {
            self.end - Duration::days(5)
        } else {
            self.start + Duration::days(self.rng.range(30, self.size.days as u64 - 30) as i64)
        };
        let Some(&(title, text)) = words::CALLS.get(i % words::CALLS.len()) else {
            return Ok(());
        };
        let c = self.connector(0);
        let call_id = CallId::new(self.rng.uuid_v7(published));
        let hands = self.rng.range(6, 14) as usize;
        let deadline = published + Duration::days(10);
        let scope = if i % 2 == 0 {
            CallScope::All
        } else {
            CallScope::Neighbourhoods(
                self.neighbourhoods
                    .iter()
                    .take(1)
                    .map(|(id, _)| *id)
                    .collect(),
            )
        };
        let organisation_id = self.organisations.first().copied();
        let ctx = self.ctx(c.id, c.role, published);
        self.push(
            ctx,
            DemoCommand::Call(CallCommand::Publish(PublishCall {
                call_id,
                organisation_id,
                title: Personal::clear(c.id, title),
                description: Some(Personal::clear(c.id, text)),
                category: None,
                scope,
                fields_asked: vec![CallField::Name, CallField::Contact, CallField::Availability],
                hands_needed: HandsNeeded::new(hands as u32)?,
                deadline,
                skills_wanted: Vec::new(),
            })),
        );
        let volunteers: Vec<Member> = self
            .members
            .iter()
            .filter(|m| m.available_for_calls && m.since < published)
            .cloned()
            .collect();
        let answers = if i + 1 == self.size.calls && self.size.calls > 1 {
            hands / 2
        } else {
            hands + 2
        };
        let mut last = published;
        let mut used = Vec::new();
        for _ in 0..answers {
            let Some(m) = self.rng.pick(&volunteers).cloned() else {
                break;
            };
            if used.contains(&m.id) {
                continue;
            }
            used.push(m.id);
            let at = published + Duration::minutes(self.rng.range(30, 9 * 24 * 60) as i64);
            last = last.max(at);
            let name = self.name();
            let contact = format!("06-{:08}", self.rng.below(100_000_000));
            let availability = self.availability();
            let ctx = self.ctx(m.id, Role::Resident, at);
            self.push(
                ctx,
                DemoCommand::Call(CallCommand::Answer(AnswerCall {
                    call_id,
                    name: Some(Personal::clear(m.id, name)),
                    contact: Some(Personal::clear(m.id, contact)),
                    availability: Some(availability),
                })),
            );
        }
        if i + 1 < self.size.calls || self.size.calls == 1 {
            let at = deadline.max(last) + Duration::hours(2);
            let reason = if used.len() >= hands {
                CallCloseReason::Filled
            } else {
                CallCloseReason::DeadlinePassed
            };
            let ctx = self.ctx(c.id, c.role, at);
            self.push(
                ctx,
                DemoCommand::Call(CallCommand::Close(CloseCall { call_id, reason })),
            );
        }
        Ok(())
    }

    /// One request posted in error by a connector, voided an hour later.
    fn void_one(&mut self) -> Result<(), ValueError> {
        let at = self.start + Duration::days(self.rng.range(30, 300) as i64);
        let Some(m) = self
            .members
            .iter()
            .find(|m| m.since < at && !m.helper)
            .cloned()
        else {
            return Ok(());
        };
        let Some(category) = taxonomy().categories().first() else {
            return Ok(());
        };
        let c = self.connector(m.neighbourhood);
        let request_id = RequestId::new(self.rng.uuid_v7(at));
        let ctx = self.ctx(c.id, c.role, at).acting_for(m.id);
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Post(PostRequest {
                request_id,
                requester: m.id,
                channel: Channel::Phone,
                category: CategoryCode::parse(category.code)?,
                target_group: None,
                neighbourhood_id: self.neighbourhoods[m.neighbourhood].0,
                location: None,
                description: Personal::clear(m.id, "Dubbel ingevoerd"),
                urgency: Urgency::Normal,
                needed_by: None,
                anonymous: false,
                visibility: Visibility::Connectors,
                hands_needed: HandsNeeded::ONE,
                skills_wanted: Vec::new(),
                referred_by: None,
                consent: Some(ConsentBasis::ExplicitConsent),
            })),
        );
        let ctx = self.ctx(c.id, c.role, at + Duration::hours(1));
        self.push(
            ctx,
            DemoCommand::Request(RequestCommand::Void(VoidRequest { request_id })),
        );
        Ok(())
    }

    /// An erasure and a couple of helpers who stop, placed after the last thing they did.
    fn departures(&mut self) {
        let cutoff = self.end - Duration::days(45);
        let last_act = self.last_act.clone();
        let mut erased = None;
        for m in &self.members {
            if m.helper || m.access != DigitalAccess::Digital {
                continue;
            }
            if let Some(t) = last_act.get(&m.id) {
                if *t < cutoff - Duration::days(60) && *t > m.since {
                    erased = Some((m.id, *t));
                    break;
                }
            }
        }
        if let Some((id, t)) = erased {
            let at = t + Duration::days(30);
            let ctx = self.ctx(id, Role::Resident, at);
            self.push(
                ctx,
                DemoCommand::Person(PersonCommand::Erase(ErasePerson { person_id: id })),
            );
            // Nobody acts for or on this person after the erasure.
            self.touch(id, at);
        }
        let mut stopped = 0;
        let helpers: Vec<(PersonId, DigitalAccess)> = self
            .members
            .iter()
            .filter(|m| m.helper)
            .map(|m| (m.id, m.access))
            .collect();
        for (id, access) in helpers {
            if stopped >= 2 {
                break;
            }
            if let Some(t) = last_act.get(&id) {
                if *t < cutoff && access == DigitalAccess::Digital {
                    let at = *t + Duration::days(10);
                    let ctx = self.ctx(id, Role::Helper, at);
                    self.push(
                        ctx,
                        DemoCommand::Person(PersonCommand::OptOut(OptOutAsHelper {
                            person_id: id,
                        })),
                    );
                    stopped += 1;
                }
            }
        }
    }
}

/// What the planner tracks about a request while scripting it.
#[derive(Debug)]
struct Script {
    request_id: RequestId,
    requester: PersonId,
    self_posted: bool,
    hood: usize,
    connector: Staff,
    now: DateTime<Utc>,
    hands: usize,
    matched: Vec<PersonId>,
    /// Everyone who offered or was matched so far (plus the requester).
    involved: Vec<PersonId>,
}
