//! End-to-end test of `noaber doctor` on the embedded store: a healthy data directory passes
//! every check; a missing or wrong master key is named with what to do, and exits non-zero.

use crate::support::{data_dir_arg, run};

#[test]
fn doctor_passes_a_healthy_directory_and_names_a_missing_or_wrong_master_key() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = data_dir_arg(tmp.path());
    // A demo history writes people's keys and generates the master key.
    let (status, _, err) = run(&[&dir, "demo", "--quiet"]);
    assert!(status.success(), "{err}");

    let (status, out, err) = run(&[&dir, "doctor"]);
    assert!(status.success(), "{out}{err}");
    for check in ["database", "master key", "disk", "hash chains"] {
        assert!(out.contains(&format!("ok   {check}:")), "{check}: {out}");
    }
    assert!(out.contains("opens the"), "keys were tried: {out}");

    // Another master key does not open the stored keys.
    let key = tmp.path().join("master.key");
    let saved = std::fs::read(&key).expect("the master key");
    let mut wrong = saved.clone();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    std::fs::write(&key, &wrong).expect("a wrong key in place");
    let (status, out, _) = run(&[&dir, "doctor"]);
    assert!(!status.success());
    assert!(out.contains("FIX  master key:"), "{out}");
    assert!(out.contains("does not open the stored keys"), "{out}");

    // No master key at all.
    std::fs::remove_file(&key).expect("removed");
    let (status, out, _) = run(&[&dir, "doctor"]);
    assert!(!status.success());
    assert!(out.contains("there is no master key"), "{out}");
    assert!(!key.exists(), "doctor does not make a new key");
    std::fs::write(&key, saved).expect("restored");
}
