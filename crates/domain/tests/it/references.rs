//! The other aggregates a command names, which the executor checks exist before deciding.

use chrono::Duration;

use crate::common::*;
use noaber_domain::call::{Call, CallCommand, CallScope, PublishCall};
use noaber_domain::organisation::{OfferServices, Organisation, OrganisationStatus};
use noaber_domain::person::{Person, PersonCommand, UpdateProfile};
use noaber_domain::request::*;
use noaber_domain::values::{CategoryCode, HandsNeeded};
use noaber_domain::NeighbourhoodId;
use noaber_domain::{Decider, Personal, Reference};
use uuid::Uuid;

const OTHER_HOOD: NeighbourhoodId = NeighbourhoodId::new(Uuid::from_u128(0x201));

fn hood(id: NeighbourhoodId) -> Reference {
    Reference {
        category: "neighbourhood",
        id: id.as_uuid(),
    }
}

fn org() -> Reference {
    Reference {
        category: "organisation",
        id: ORG.as_uuid(),
    }
}

#[test]
fn a_posted_request_names_its_neighbourhood_and_referrer_but_not_its_requester() {
    let own = HelpRequest::references(&post(ANNA).into());
    assert_eq!(own, vec![hood(HOOD)]);
    let referred = PostRequest {
        referred_by: Some(ORG),
        ..post_command(ANNA, noaber_domain::values::Channel::PartnerReferral, 1)
    };
    assert_eq!(
        HelpRequest::references(&referred.into()),
        vec![hood(HOOD), org()]
    );
}

#[test]
fn an_offer_and_a_match_name_the_helper() {
    let helper = Reference {
        category: "person",
        id: BEN.as_uuid(),
    };
    let offer = RequestCommand::Offer(OfferHelp {
        request_id: REQ,
        helper: BEN,
        message: None,
    });
    let matched = RequestCommand::Match(MatchHelper {
        request_id: REQ,
        helper: BEN,
    });
    assert_eq!(HelpRequest::references(&offer), vec![helper]);
    assert_eq!(HelpRequest::references(&matched), vec![helper]);
}

#[test]
fn a_referral_names_the_organisation_and_a_correction_the_new_neighbourhood() {
    let refer = RequestCommand::Refer(ReferRequest {
        request_id: REQ,
        organisation_id: ORG,
        organisation_status: OrganisationStatus::Active,
        reason: None,
    });
    assert_eq!(HelpRequest::references(&refer), vec![org()]);
    let correct = RequestCommand::Correct(CorrectRequest {
        request_id: REQ,
        category: None,
        target_group: None,
        neighbourhood_id: Some(OTHER_HOOD),
        urgency: None,
        channel: None,
    });
    assert_eq!(HelpRequest::references(&correct), vec![hood(OTHER_HOOD)]);
}

#[test]
fn commands_about_people_the_request_already_holds_name_nobody() {
    let commands = [
        RequestCommand::WithdrawOffer(WithdrawOffer {
            request_id: REQ,
            helper: BEN,
        }),
        resolve(ResolvedBy::Neighbour, vec![BEN]).into(),
        RequestCommand::Void(VoidRequest { request_id: REQ }),
    ];
    for command in commands {
        assert_eq!(HelpRequest::references(&command), vec![], "{command:?}");
    }
}

#[test]
fn a_call_names_its_organisation_and_neighbourhoods_and_one_to_all_names_none() {
    let call = |scope| PublishCall {
        call_id: CALL,
        organisation_id: Some(ORG),
        title: Personal::clear(DIRK, "Sneeuw ruimen"),
        description: None,
        category: None,
        scope,
        fields_asked: vec![],
        hands_needed: HandsNeeded::ONE,
        deadline: now() + Duration::days(1),
        skills_wanted: vec![],
    };
    let some = CallCommand::from(call(CallScope::Neighbourhoods(vec![HOOD, OTHER_HOOD])));
    assert_eq!(
        Call::references(&some),
        vec![org(), hood(HOOD), hood(OTHER_HOOD)]
    );
    let all = CallCommand::from(call(CallScope::All));
    assert_eq!(Call::references(&all), vec![org()]);
}

#[test]
fn services_name_their_neighbourhoods_and_a_move_names_the_new_one() {
    let services = OfferServices {
        organisation_id: ORG,
        categories: vec![CategoryCode::parse("errands").expect("known category")],
        neighbourhoods: vec![HOOD],
    };
    assert_eq!(Organisation::references(&services.into()), vec![hood(HOOD)]);
    let moved = PersonCommand::from(UpdateProfile {
        person_id: ANNA,
        name: None,
        contact: None,
        address: None,
        neighbourhood_id: Some(OTHER_HOOD),
        location: None,
        languages: None,
        digital_access: None,
    });
    assert_eq!(Person::references(&moved), vec![hood(OTHER_HOOD)]);
}
