//! CDS Hooks 2.0 wire types (spec 2.0.1): discovery, request, response, cards, feedback.
//!
//! Field names follow the spec exactly (camelCase). Optional fields are
//! skipped when empty so responses stay small and valid. `extension` is the
//! spec's reserved name for reverse-DNS keyed extras.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `GET {base}/cds-services` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// The services offered.
    pub services: Vec<Service>,
}

/// One CDS Service in discovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Hook, e.g. `patient-view`.
    pub hook: String,
    /// Human title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Service id; the endpoint is `{base}/cds-services/{id}`.
    pub id: String,
    /// Prefetch templates, key → FHIR query.
    pub prefetch: Map<String, Value>,
    /// Usage requirements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_requirements: Option<String>,
}

/// `fhirAuthorization` of a request (we never use it to fetch; see the service).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FhirAuthorization {
    /// OAuth access token.
    pub access_token: Option<String>,
    /// `Bearer`.
    pub token_type: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: Option<i64>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// The service's OAuth client id.
    pub subject: Option<String>,
}

/// `POST {base}/cds-services/{id}` request body (validated by [`crate::cds::service::call`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Hook name.
    pub hook: String,
    /// Unique id of this hook invocation.
    pub hook_instance: String,
    /// FHIR base URL of the EHR, if it grants access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_server: Option<String>,
    /// Access grant for `fhir_server`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_authorization: Option<FhirAuthorization>,
    /// Hook context (`userId`, `patientId`, `encounterId` for `patient-view`).
    pub context: Map<String, Value>,
    /// Prefetched data, key → resource / Bundle / null / OperationOutcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefetch: Option<Map<String, Value>>,
}

/// Service response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Cards (possibly none).
    pub cards: Vec<Card>,
}

/// The CDS Hooks Coding (trimmed: code, system, display).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coding {
    /// Code.
    pub code: String,
    /// Code system URI.
    pub system: String,
    /// Display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// Card source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Label shown to the user.
    pub label: String,
    /// Link to more about the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Topic of the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Coding>,
}

/// A link on a card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Label.
    pub label: String,
    /// URL.
    pub url: String,
    /// `absolute` or `smart`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Card indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    /// Information.
    Info,
    /// Worth attention (here: data missing).
    Warning,
    /// Critical.
    Critical,
}

/// A card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// Unique id, echoed in feedback.
    pub uuid: String,
    /// Under 140 characters.
    pub summary: String,
    /// GitHub-flavoured Markdown.
    pub detail: String,
    /// Urgency.
    pub indicator: Indicator,
    /// Where it comes from.
    pub source: Source,
    /// Links.
    pub links: Vec<Link>,
    /// Extras, reverse-DNS keys.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extension: Map<String, Value>,
}

/// Feedback outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The user accepted a suggestion.
    Accepted,
    /// The user overrode the card.
    Overridden,
}

impl Outcome {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Overridden => "overridden",
        }
    }
}

/// Why a card was overridden.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideReason {
    /// A coded reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Coding>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_comment: Option<String>,
}

/// One accepted suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedSuggestion {
    /// The suggestion's uuid.
    pub id: String,
}

/// One feedback item (validated by [`crate::cds::feedback::parse`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackItem {
    /// The card's uuid.
    pub card: String,
    /// Accepted or overridden.
    pub outcome: Outcome,
    /// Suggestions accepted (required for `accepted`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_suggestions: Vec<AcceptedSuggestion>,
    /// Why overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<OverrideReason>,
    /// When, RFC 3339.
    pub outcome_timestamp: String,
}
