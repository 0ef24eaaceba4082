//! `noaber openapi`: prints the OpenAPI 3.1 document of the HTTP API, exactly as
//! `GET /openapi.json` serves it and `docs/openapi.json` keeps it (`noaber openapi >
//! docs/openapi.json` brings the checked-in copy up to date).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::CliError;

/// Prints the document on standard output.
pub fn run() -> Result<ExitCode, CliError> {
    let document = noaber_api::http::openapi::cached();
    std::io::stdout().write_all(document.json.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
