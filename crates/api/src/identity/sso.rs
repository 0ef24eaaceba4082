//! Single sign-on: the tenants' OpenID providers, each under a name of its own in the sign-in
//! address (`/auth/oidc/{name}/start`), and their discovered clients, made on first use.
//!
//! A provider vouches for who someone is; Noaber decides what follows. The person must already
//! have an account in the provider's tenant whose login name is the verified email address the
//! provider sends (an administrator invites them with it), and the session acts in the first role
//! of the provider's role claim that the person holds in Noaber. Roles stay facts in the log:
//! the provider's claim chooses among them and never grants one.

use std::collections::BTreeMap;
use std::sync::Arc;

use noaber_domain::TenantId;
use noaber_oidc::{OidcClient, OidcError, ProviderConfig};
use serde::Deserialize;
use tokio::sync::Mutex;

/// One tenant's identity provider, as the configuration file names it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantProvider {
    /// The name in the sign-in address (letters, digits and dashes).
    pub name: String,
    /// The tenant whose people sign in there.
    pub tenant: TenantId,
    /// The provider and Noaber's client there.
    pub oidc: ProviderConfig,
}

/// The configuration file of `noaber serve --oidc-config`: a list of `[[provider]]` tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// The providers.
    #[serde(default)]
    pub provider: Vec<TenantProvider>,
}

/// The configured providers and their clients.
#[derive(Debug, Default)]
pub struct Sso {
    providers: BTreeMap<String, TenantProvider>,
    clients: Mutex<BTreeMap<String, Arc<OidcClient>>>,
}

impl Sso {
    /// The providers of `config`; a name given twice or not made of letters, digits and dashes
    /// is refused.
    pub fn new(config: SsoConfig) -> Result<Self, String> {
        let mut providers = BTreeMap::new();
        for p in config.provider {
            let valid = !p.name.is_empty()
                && p.name.len() <= 40
                && p.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(format!(
                    "the provider name {:?} must be 1 to 40 letters, digits or dashes",
                    p.name
                ));
            }
            if providers.insert(p.name.clone(), p.clone()).is_some() {
                return Err(format!("the provider name {:?} is given twice", p.name));
            }
        }
        Ok(Self {
            providers,
            clients: Mutex::new(BTreeMap::new()),
        })
    }

    /// The provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&TenantProvider> {
        self.providers.get(name)
    }

    /// The discovered client of provider `name`, discovering it on first use.
    pub async fn client(&self, name: &str) -> Result<Option<Arc<OidcClient>>, OidcError> {
        let Some(provider) = self.providers.get(name) else {
            return Ok(None);
        };
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(name) {
            return Ok(Some(client.clone()));
        }
        let client = Arc::new(OidcClient::discover(&provider.oidc).await?);
        clients.insert(name.to_owned(), client.clone());
        Ok(Some(client))
    }

    /// Forgets the client of `name`, so that the next sign-in discovers the provider again
    /// (after it rotated its signing keys).
    pub async fn forget(&self, name: &str) {
        self.clients.lock().await.remove(name);
    }
}
