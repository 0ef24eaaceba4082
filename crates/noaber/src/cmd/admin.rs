//! `noaber admin`: the platform administrator's commands, run on the server with access to the
//! database. `bootstrap` sets up a tenant with its first neighbourhood and administrator (on
//! PostgreSQL, or to add a tenant to a regional deployment); `link` issues a single-use sign-in
//! link for an administrator; `close-account` closes a person's account for good and
//! `close-tenant` every account of a tenant whose contract ended, after `export-tenant` wrote its
//! whole log with the personal data opened for the tenant to take along; `rotate-master-key`
//! wraps every person's key by a new master key.
//!
//! Links are printed on standard output, never logged.

use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Subcommand};
use noaber_api::identity::bootstrap::{bootstrap, link_url, sign_in_link, Plan};
use noaber_api::identity::{Identity, IdentitySettings};
use noaber_api::tenant_export::export_tenant;
use noaber_domain::values::ApproxLocation;
use noaber_domain::{PersonId, Role};
use noaber_projections::runner::rebuild_from;
use noaber_store::exec::Executor;
use noaber_store::privacy::{rotate_master_key, MasterKey};

use crate::cli::CliError;
use crate::config::{self, StoreConfig};

/// The `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Set up a tenant: its first neighbourhood and administrator; prints a sign-in link.
    Bootstrap(BootstrapArgs),
    /// Print a single-use sign-in link for an administrator (valid 15 minutes).
    Link(LinkArgs),
    /// Close a person's account: no more sign-in; every session and token revoked.
    CloseAccount(CloseArgs),
    /// Write a tenant's whole log, personal data opened, to a file the tenant takes along
    /// (JSON Lines, see docs/tenant-export.md); the reading is recorded in the access log.
    ExportTenant(ExportTenantArgs),
    /// Close every account of a tenant whose contract ended; its log stays for the audit.
    CloseTenant(CloseTenantArgs),
    /// Wrap every person's key by a new master key (made in `--new-key-file` when missing).
    RotateMasterKey(RotateArgs),
}

/// Options of `noaber admin rotate-master-key`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Where the new master key is (generated there when the file does not exist yet; an
    /// interrupted rotation is resumed by running the command again with the same file).
    #[arg(long)]
    pub new_key_file: std::path::PathBuf,
}

/// Options of `noaber admin close-tenant`.
#[derive(Debug, Args)]
pub struct CloseTenantArgs {
    /// The tenant.
    #[arg(long)]
    pub tenant: noaber_domain::TenantId,
}

/// Options of `noaber admin export-tenant`.
#[derive(Debug, Args)]
pub struct ExportTenantArgs {
    /// The tenant.
    #[arg(long)]
    pub tenant: noaber_domain::TenantId,
    /// The file to write (refused when it exists: an export holds everyone's personal data and
    /// is never written over something else by mistake).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// Options of `noaber admin bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// The tenant's name.
    #[arg(long, default_value = "Burenhulp")]
    pub tenant_name: String,
    /// The first neighbourhood's name.
    #[arg(long, default_value = "Centrum")]
    pub neighbourhood_name: String,
    /// The neighbourhood's approximate centre, as `lat,lon`.
    #[arg(long, default_value = "52.0907,5.1214")]
    pub centre: String,
    /// The administrator's name.
    #[arg(long, default_value = "Beheerder")]
    pub admin_name: String,
    /// The administrator's email address (to sign in with a password later).
    #[arg(long)]
    pub admin_email: Option<String>,
    /// The tenant's default language (nl, fr, en).
    #[arg(long, default_value = "nl")]
    pub language: String,
    /// The address people reach Noaber at, to print the link with.
    #[arg(
        long,
        env = "NOABER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

/// Options of `noaber admin link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The administrator (a person id); may be left out when there is exactly one.
    #[arg(long)]
    pub person: Option<PersonId>,
    /// The address people reach Noaber at, to print the link with.
    #[arg(
        long,
        env = "NOABER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

/// Options of `noaber admin close-account`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The person whose account is closed.
    #[arg(long)]
    pub person: PersonId,
}

fn centre(text: &str) -> Result<ApproxLocation, CliError> {
    let (lat, lon) = text
        .split_once(',')
        .ok_or("--centre is `lat,lon`, e.g. 52.0907,5.1214")?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| "--centre: the latitude is not a number")?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| "--centre: the longitude is not a number")?;
    Ok(ApproxLocation::new(lat, lon)?)
}

/// Runs an `admin` subcommand.
pub async fn run(store_config: &StoreConfig, command: &AdminCommand) -> Result<ExitCode, CliError> {
    let stores = config::open_stores(store_config, true).await?;
    let privacy = config::open_privacy(store_config, stores.keys.clone())?;
    let identity = Identity::new(
        stores.identity.clone(),
        privacy.clone(),
        IdentitySettings::default(),
    );
    match command {
        AdminCommand::Bootstrap(args) => {
            let plan = Plan {
                tenant_name: args.tenant_name.clone(),
                neighbourhood_name: args.neighbourhood_name.clone(),
                centre: centre(&args.centre)?,
                admin_name: args.admin_name.clone(),
                admin_login: args.admin_email.clone(),
                language: args.language.clone(),
            };
            let executor = Executor::new(stores.events.clone(), privacy);
            let done = bootstrap(&executor, &identity, &plan, Utc::now()).await?;
            println!("tenant        {}", done.tenant);
            println!("neighbourhood {}", done.neighbourhood);
            println!("administrator {}", done.admin);
            println!(
                "\nSign in as the administrator with this link (it works once, for {} minutes):\n\n    {}\n",
                identity.settings().sign_in_link_ttl.num_minutes(),
                link_url(&args.public_url, &done.link.token)
            );
        }
        AdminCommand::Link(args) => {
            let models = rebuild_from(
                stores.events.as_ref(),
                noaber_store::Checkpoint::START,
                1_000,
                |_| {},
            )
            .await?;
            let admins: Vec<_> = models
                .roles
                .all_holders(Role::Admin)
                .into_iter()
                .filter(|(_, holder)| args.person.is_none_or(|p| p == holder.person_id))
                .collect();
            let [(tenant, holder)] = admins.as_slice() else {
                if admins.is_empty() {
                    return Err(match args.person {
                        Some(p) => format!("{p} is not an administrator").into(),
                        None => "there is no administrator yet: run noaber admin bootstrap".into(),
                    });
                }
                let listed: Vec<String> = admins
                    .iter()
                    .map(|(t, h)| format!("  --person {}   (tenant {t})", h.person_id))
                    .collect();
                return Err(format!(
                    "there are {} administrators; name one:\n{}",
                    admins.len(),
                    listed.join("\n")
                )
                .into());
            };
            identity
                .ensure_account(*tenant, holder.person_id, None, Utc::now())
                .await?;
            let link = sign_in_link(&identity, *tenant, holder.person_id, Utc::now()).await?;
            println!(
                "Sign in as administrator {} with this link (it works once, for {} minutes):\n\n    {}\n",
                holder.person_id,
                identity.settings().sign_in_link_ttl.num_minutes(),
                link_url(&args.public_url, &link.token)
            );
        }
        AdminCommand::RotateMasterKey(args) => {
            let old_path = config::master_key_path(store_config)?;
            if old_path == args.new_key_file {
                return Err(
                    "--new-key-file must name another file than the current master key".into(),
                );
            }
            let (old, _) = MasterKey::load_or_generate(&old_path)?;
            let (new, generated) = MasterKey::load_or_generate(&args.new_key_file)?;
            if generated {
                println!(
                    "generated the new master key in {}",
                    args.new_key_file.display()
                );
            }
            let report = rotate_master_key(stores.keys.as_ref(), &old, &new).await?;
            println!(
                "{} keys now wrapped by the new master key ({} already were, {} erased meanwhile).\n\
                 Next: stop every instance, start them with --master-key-file {} (or put it in \
                 place of {}), back the new key up, then destroy the old one.",
                report.rotated,
                report.already,
                report.gone,
                args.new_key_file.display(),
                old_path.display()
            );
        }
        AdminCommand::ExportTenant(args) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&args.out)
                .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| format!("cannot restrict {}: {e}", args.out.display()))?;
            }
            let mut out = std::io::BufWriter::new(file);
            let summary = export_tenant(
                stores.events.as_ref(),
                &privacy,
                stores.identity.as_ref(),
                args.tenant,
                Utc::now(),
                &mut out,
            )
            .await?;
            println!(
                "{} events of {} streams of tenant {} written to {}, with the personal data of {}                  persons opened ({} values read as erased); the reading is in the access log.
                 The file holds personal data: hand it over encrypted.",
                summary.events,
                summary.streams,
                args.tenant,
                args.out.display(),
                summary.subjects,
                summary.erased_values
            );
        }
        AdminCommand::CloseTenant(args) => {
            let closed = stores
                .identity
                .close_tenant(args.tenant.as_uuid(), Utc::now())
                .await?;
            println!(
                "{closed} accounts of tenant {} are closed; its log is kept (export it for the auditor first)",
                args.tenant
            );
        }
        AdminCommand::CloseAccount(args) => {
            let closed = stores
                .identity
                .close_account(args.person.as_uuid(), Utc::now())
                .await?;
            if closed {
                println!("the account of {} is closed", args.person);
            } else {
                println!("{} has no open account", args.person);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
