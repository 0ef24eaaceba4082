//! Shared helpers of the binary's end-to-end tests: starting the real `noaber` binary on a free
//! port and reading its log, and running one of its commands to completion.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long a test waits for the binary to say where it listens before giving up. A guard
/// against a hung test, not a timed assertion.
const STARTUP_GUARD: Duration = Duration::from_secs(120);

/// The `noaber` binary with a clean environment: none of the developer's settings leak in.
pub fn noaber() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_noaber"));
    for var in [
        "DATABASE_URL",
        "NOABER_DATA_DIR",
        "NOABER_MASTER_KEY",
        "NOABER_LOG_FORMAT",
        "NOABER_BIND",
        "PORT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "info").env("NO_COLOR", "1");
    cmd
}

/// A running `noaber serve`, stopped (SIGTERM, then killed) when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// Log lines read so far, in order.
    pub log: Vec<String>,
    lines: Receiver<String>,
    printed: Receiver<String>,
}

impl Server {
    /// Starts `noaber <global args> serve --port 0` and waits until it says where it listens.
    pub fn start(global_args: &[&str]) -> Server {
        let mut child = noaber()
            .args(global_args)
            .args([
                "serve",
                "--port",
                "0",
                "--bind",
                "127.0.0.1",
                "--insecure-dev-auth",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the noaber binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (out_tx, printed) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if out_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut log = Vec::new();
        let base_url = loop {
            match lines.recv_timeout(STARTUP_GUARD) {
                Ok(line) => {
                    let found = line
                        .split("listening on http://")
                        .nth(1)
                        .and_then(|rest| rest.split_whitespace().next())
                        .map(|addr| format!("http://{addr}"));
                    log.push(line);
                    if let Some(url) = found {
                        break url;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("noaber serve did not start; its log:\n{}", log.join("\n"));
                }
            }
        };
        Server {
            child,
            base_url,
            log,
            lines,
            printed,
        }
    }

    /// The first line the server printed on standard output that contains `needle`, or `None`
    /// when it printed none within three seconds of the call (it prints before it listens).
    pub fn printed_line(&self, needle: &str) -> Option<String> {
        while let Ok(line) = self.printed.recv_timeout(Duration::from_secs(3)) {
            if line.contains(needle) {
                return Some(line);
            }
        }
        None
    }

    /// `base_url` joined with `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sends SIGTERM and waits for the process to end; returns its status and the rest of its log.
    pub fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self
            .child
            .wait()
            .expect("the server process can be waited for");
        let mut log = std::mem::take(&mut self.log);
        log.extend(self.lines.try_iter());
        (status, log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `noaber <args>` to completion: its status, standard output and standard error.
pub fn run(args: &[&str]) -> (ExitStatus, String, String) {
    let out = noaber()
        .args(args)
        .output()
        .expect("the noaber binary runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The global argument naming a data directory.
pub fn data_dir_arg(dir: &Path) -> String {
    format!("--data-dir={}", dir.display())
}
