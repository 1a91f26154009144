//! Knowledge-base releases on the command line (contract 8.2): `--kb`,
//! `kb versions`, `kb diff`, signed bundles (`kb bundle|keygen|sign|verify`,
//! `--kb-file`), sign-off coverage in `kb check`, and reproducibility of the
//! 2026.11.0 answers through `assess --kb 2026.11.0`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hepatica"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).env_remove("HEPATICA_KB_DIR").env_remove("HEPATICA_KB").output().unwrap()
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .env_remove("HEPATICA_KB_DIR")
        .env_remove("HEPATICA_KB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("hepatica-kbrel-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

fn content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

const CASE: &str = r#"{"id":"k1","primary_site":"bowel","liver":{"tumour_count":2}}"#;

#[test]
fn kb_versions_lists_every_release_in_text_and_json() {
    let o = run(&["kb", "versions", "--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: Value = serde_json::from_str(&out(&o)).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.iter().map(|r| r["version"].as_str().unwrap()).collect::<Vec<_>>(), Knowledge::versions());
    for r in list {
        let kb = Knowledge::by_version(r["version"].as_str().unwrap()).unwrap();
        assert_eq!(r["content_hash"], kb.content_hash());
        assert_eq!(r["engine_logic"], kb.engine_logic());
        assert_eq!(r["published"], kb.meta.published.to_string());
    }
    assert_eq!(list.iter().filter(|r| r["latest"] == true && r["default"] == true).count(), 1);
    let o = run(&["kb", "versions"]);
    let text = out(&o);
    assert!(text.contains("2026.11.0") && text.contains(&format!("superseded by {}", Knowledge::latest_version())), "{text}");
    assert!(text.contains("latest (default)") && text.contains(Knowledge::embedded().content_hash()), "{text}");
    // Which releases are frozen, as the JSON says.
    for r in list {
        let line = text.lines().find(|l| l.starts_with(r["version"].as_str().unwrap())).unwrap();
        let frozen = r["frozen"] == true;
        assert!(line.contains("frozen"), "{line}");
        assert_eq!(line.contains("not frozen"), !frozen, "{line}");
    }
}

#[test]
fn assess_kb_pins_a_release_and_unknown_versions_are_named() {
    let o = run_stdin(&["assess", "--format", "json", "--kb", "2026.11.0"], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    let frozen = Knowledge::release("2026.11.0").unwrap();
    assert_eq!(a["knowledge_base"]["version"], "2026.11.0");
    assert_eq!(a["knowledge_base"]["content_hash"], frozen.content_hash());
    assert_eq!(a["knowledge_base"]["superseded_by"], Knowledge::latest_version());
    let o = run_stdin(&["assess", "--format", "json"], CASE);
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(a["knowledge_base"]["content_hash"], Knowledge::embedded().content_hash());
    assert!(a["knowledge_base"].get("superseded_by").is_none());
    let o = run_stdin(&["assess", "--kb", "1999.1.0"], CASE);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty());
    let e = err(&o);
    assert!(e.contains("error: --kb: unknown knowledge-base version \"1999.1.0\"") && e.contains("2026.11.0"), "{e}");
    let o = run_stdin(&["assess", "--kb", "2026.11.0", "--kb-dir", content().to_str().unwrap()], CASE);
    assert_eq!(o.status.code(), Some(2), "--kb and --kb-dir are exclusive: {}", err(&o));
    let o = run(&["batch", "--kb", "nope", "--input", "/dev/null", "--output", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unknown knowledge-base version \"nope\""));
    let o = run(&["serve", "--kb", "nope", "--data-dir", "/nonexistent-hepatica"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unknown knowledge-base version \"nope\""));
}

#[test]
fn batch_summary_carries_the_stamp_of_the_pinned_release() {
    let dir = Scratch::new("batch");
    std::fs::write(dir.path("in.ndjson"), format!("{CASE}\n")).unwrap();
    let o = run(&[
        "batch",
        "--kb",
        "2026.11.0",
        "--input",
        &dir.path("in.ndjson"),
        "--output",
        &dir.path("out.ndjson"),
        "--summary",
        &dir.path("summary.json"),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let s: Value = serde_json::from_str(&std::fs::read_to_string(dir.path("summary.json")).unwrap()).unwrap();
    assert_eq!(s["knowledge_base"]["version"], "2026.11.0");
    assert_eq!(s["knowledge_base"]["content_hash"], Knowledge::release("2026.11.0").unwrap().content_hash());
    assert_eq!(s["knowledge_base"]["superseded_by"], Knowledge::latest_version());
}

#[test]
fn kb_diff_lists_changes_by_area_and_refuses_unknown_versions() {
    let dir = Scratch::new("diff");
    let folder = dir.0.join("content");
    copy_dir(&content(), &folder);
    let th = folder.join("thresholds.toml");
    let text = std::fs::read_to_string(&th).unwrap();
    let at = text.find("\nvalue = ").unwrap() + 1;
    let end = at + text[at..].find('\n').unwrap();
    std::fs::write(&th, format!("{}value = 777{}", &text[..at], &text[end..])).unwrap();
    let o = run(&["kb", "diff", "latest", folder.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    let d: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(d["thresholds"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["thresholds"][0]["fields"][0], json!({"field": "value", "old": d["thresholds"][0]["fields"][0]["old"], "new": "777"}));
    assert!(d["statements"].as_array().unwrap().is_empty());
    let o = run(&["kb", "diff", "latest", folder.to_str().unwrap()]);
    let text = out(&o);
    assert!(text.contains("thresholds (1):") && text.contains("-> 777"), "{text}");
    let o = run(&["kb", "diff", "2026.11.0", "latest"]);
    assert!(o.status.success());
    assert!(out(&o).starts_with(&format!("Knowledge base 2026.11.0 -> {}", Knowledge::latest_version())));
    let o = run(&["kb", "diff", "2026.11.0", "2026.11.0"]);
    assert!(out(&o).contains("No changes."));
    let o = run(&["kb", "diff", "2026.11.0", "2031.1.0", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty());
    assert!(err(&o).contains("NEW: unknown knowledge-base version \"2031.1.0\""), "{}", err(&o));
}

#[test]
fn bundles_are_signed_verified_and_every_bad_one_refused() {
    let dir = Scratch::new("bundle");
    let (private, public, bundle) = (dir.path("key"), dir.path("key.pub"), dir.path("kb.bundle"));
    let o = run(&["kb", "keygen", "--out-private", &private, "--out-public", &public]);
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&["kb", "keygen", "--out-private", &private, "--out-public", &dir.path("other.pub")]);
    assert_eq!(o.status.code(), Some(2), "keys are never overwritten");
    let o = run(&["kb", "bundle", "--kb", "2026.11.0", "--out", &bundle]);
    assert!(o.status.success(), "{}", err(&o));
    let hash = Knowledge::release("2026.11.0").unwrap().content_hash();
    assert!(out(&o).contains(hash));
    // Unsigned: refused by verify and by assess.
    let o = run(&["kb", "verify", &bundle, "--public-key", &public]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not signed"), "{}", err(&o));
    let o = run_stdin(&["assess", "--kb-file", &bundle, "--public-key", &public], CASE);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty() && err(&o).contains("not signed"));
    // Signed: verified, and assess answers from it.
    let o = run(&["kb", "sign", &bundle, "--private-key", &private]);
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&["kb", "verify", &bundle, "--public-key", &public]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("knowledge base 2026.11.0") && out(&o).contains(hash), "{}", out(&o));
    let o = run_stdin(&["assess", "--format", "json", "--kb-file", &bundle, "--public-key", &public], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(a["knowledge_base"]["content_hash"], hash);
    // --kb-file needs --public-key.
    let o = run_stdin(&["assess", "--kb-file", &bundle], CASE);
    assert_eq!(o.status.code(), Some(2));
    // Wrong key.
    run(&["kb", "keygen", "--out-private", &dir.path("k2"), "--out-public", &dir.path("k2.pub")]);
    let o = run(&["kb", "verify", &bundle, "--public-key", &dir.path("k2.pub")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("does not match this public key"), "{}", err(&o));
    // Tampered (the version relabelled), truncated, corrupt, and a bad key file.
    let bytes = std::fs::read(&bundle).unwrap();
    let head = String::from_utf8_lossy(&bytes[..80]).replacen("2026.11.0", "2026.11.1", 1);
    let mut tampered = head.into_bytes();
    tampered.extend_from_slice(&bytes[80..]);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("tampered", tampered, "does not match this public key"),
        ("truncated", bytes[..bytes.len() - 500].to_vec(), "truncated"),
        ("corrupt", b"PK\x03\x04 not a bundle".to_vec(), "not a valid knowledge-base bundle"),
        ("garbage-trailer", [bytes.clone(), b"extra".to_vec()].concat(), "not a valid knowledge-base bundle"),
    ];
    for (name, data, want) in cases {
        let f = dir.path(name);
        std::fs::write(&f, data).unwrap();
        let o = run(&["kb", "verify", &f, "--public-key", &public]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(err(&o).contains(want), "{name}: {}", err(&o));
        let o = run_stdin(&["assess", "--kb-file", &f, "--public-key", &public], CASE);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(out(&o).is_empty());
    }
    std::fs::write(dir.path("bad.pub"), "not hex\n").unwrap();
    let o = run(&["kb", "verify", &bundle, "--public-key", &dir.path("bad.pub")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("64 hex digits"), "{}", err(&o));
    let o = run(&["kb", "sign", &dir.path("corrupt"), "--private-key", &private]);
    assert_eq!(o.status.code(), Some(2), "a damaged bundle is never signed");
    // A signed bundle whose content does not load is refused, naming the problems.
    let files = Knowledge::release_files("2026.11.0").unwrap();
    let broken: Vec<(&str, &str)> = files.iter().copied().filter(|(p, _)| *p != "rules/surgery.toml").collect();
    let unsigned = hepatica_knowledge::bundle::write(Knowledge::release("2026.11.0").unwrap(), &broken);
    let f = dir.path("broken.bundle");
    std::fs::write(&f, unsigned).unwrap();
    assert!(run(&["kb", "sign", &f, "--private-key", &private]).status.success());
    let o = run(&["kb", "verify", &f, "--public-key", &public]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("rules/surgery.toml") && err(&o).contains("did not load"), "{}", err(&o));
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir.0).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains(".tmp-")).collect();
    assert!(leftovers.is_empty(), "no temporary files are left behind");
}

#[test]
fn kb_check_reports_sign_off_coverage_and_can_require_it() {
    let o = run(&["kb", "check", "--today", "2026-12-02"]);
    assert!(o.status.success(), "{}", err(&o));
    let items = hepatica_knowledge::signoff::coverage(Knowledge::embedded()).items;
    assert!(out(&o).contains(&format!("sign-off: 0 of {items} items signed off (0 for this release); {items} pending")), "{}", out(&o));
    let o = run(&["kb", "check", "--today", "2026-12-02", "--require-signoff"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no clinical sign-off record (--require-signoff)"), "{}", err(&o));
    // A fixture with one reviewer and one signed item; and an unknown reviewer id.
    let dir = Scratch::new("signoff");
    let folder = dir.0.join("content");
    copy_dir(&content(), &folder);
    std::fs::write(
        folder.join("reviewers.toml"),
        "[[reviewer]]\nid = \"fixture\"\nname = \"Test Reviewer (fixture)\"\nrole = \"Test role\"\norganisation = \"Test organisation\"\n",
    )
    .unwrap();
    let page = folder.join("treatments/surgery.toml");
    let text = std::fs::read_to_string(&page).unwrap();
    let line = text.lines().find(|l| l.starts_with("reviewers = ")).unwrap().to_string();
    let with = |who: &str| {
        text.replacen(&line, &format!("{line}\nsignoff = [{{ reviewer = \"{who}\", on = 2026-11-30, release = \"2026.12.0\" }}]"), 1)
    };
    std::fs::write(&page, with("fixture")).unwrap();
    let o = run(&["kb", "check", "--today", "2026-12-02", "--kb-dir", folder.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(&format!("sign-off: 1 of {items} items signed off")), "{}", out(&o));
    std::fs::write(&page, with("nobody")).unwrap();
    let o = run(&["kb", "check", "--today", "2026-12-02", "--kb-dir", folder.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("unknown reviewer \"nobody\"; expected one of fixture"), "{}", err(&o));
    // A sign-off for a release that is not one: an error.
    for bogus in ["not a version", "9999.99.9"] {
        let t = with("fixture").replace("release = \"2026.12.0\"", &format!("release = \"{bogus}\""));
        std::fs::write(&page, t).unwrap();
        let o = run(&["kb", "check", "--today", "2026-12-02", "--kb-dir", folder.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{bogus}");
        assert!(err(&o).contains(&format!("release {bogus:?} is not a release")), "{}", err(&o));
    }
    // A free-text reviewer who is not the content team: an error naming the rule.
    let invented = with("fixture").replacen(&line, "reviewers = [\"Dr Invented Person\"]", 1);
    std::fs::write(&page, invented).unwrap();
    let o = run(&["kb", "check", "--today", "2026-12-02", "--kb-dir", folder.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("\"Dr Invented Person\" is not the content team") && err(&o).contains("reviewers.toml"), "{}", err(&o));
}

/// The part of an Assessment that a pinned release must reproduce (as in
/// crates/engine/tests/compat.rs), with its keys in the recorded order so the
/// comparison is byte for byte.
mod projection {
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Serialize)]
    pub struct Reason {
        text: String,
        sources: Vec<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Kind {
        id: String,
        title: String,
        suitability: String,
    }

    #[derive(Deserialize, Serialize)]
    pub struct Option {
        treatment: String,
        suitability: String,
        reasons: Vec<Reason>,
        #[serde(default)]
        kinds: Vec<Kind>,
    }

    #[derive(Deserialize)]
    pub struct Assessment {
        pub options: Vec<Option>,
    }

    #[derive(Serialize)]
    pub struct Projection<'a> {
        pub case_id: &'a str,
        pub audience: &'a str,
        pub options: Vec<Option>,
    }
}

/// Reproducibility through the command line: a sample of the recorded
/// 2026.11.0 answers, byte for byte, from `assess --kb 2026.11.0`.
#[test]
fn assess_kb_2026_11_0_reproduces_recorded_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/kb-2026.11.0");
    let cases = std::fs::read_to_string(dir.join("cases.ndjson")).unwrap();
    let answers = std::fs::read_to_string(dir.join("answers.ndjson")).unwrap();
    let answers: Vec<&str> = answers.lines().collect();
    let mut checked = 0;
    for (i, line) in cases.lines().enumerate().step_by(23) {
        let id = serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_string();
        for (j, audience) in ["patient", "clinician"].into_iter().enumerate() {
            let o = run_stdin(&["assess", "--format", "json", "--kb", "2026.11.0", "--audience", audience], line);
            assert!(o.status.success(), "{id}: {}", err(&o));
            let a: projection::Assessment = serde_json::from_str(&out(&o)).unwrap();
            let got = projection::Projection { case_id: &id, audience, options: a.options };
            assert_eq!(serde_json::to_string(&got).unwrap(), answers[2 * i + j], "case {id} ({audience}) differs from release 2026.11.0");
            checked += 1;
        }
    }
    assert!(checked >= 38, "{checked}");
}

/// Makes a FIFO at `path` with mkfifo(1).
fn mkfifo(path: &str) -> bool {
    Command::new("mkfifo").arg(path).status().is_ok_and(|s| s.success())
}

fn is_regular(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

#[test]
fn kb_outputs_refuse_fifos_symlinks_folders_and_existing_files() {
    let dir = Scratch::new("outs");
    let fifo = dir.path("fifo");
    let have_fifo = mkfifo(&fifo);
    let target = dir.path("target");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let folder = dir.path("folder");
    std::fs::create_dir(&folder).unwrap();
    let mut special = vec![(link.clone(), "symbolic link"), (folder.clone(), "folder")];
    if have_fifo {
        special.push((fifo.clone(), "named pipe"));
    } else {
        eprintln!("skipping the FIFO case: mkfifo is not available");
    }
    for (path, kind) in &special {
        for force in [false, true] {
            let mut args = vec!["kb", "bundle", "--kb", "2026.11.0", "--out", path.as_str()];
            if force {
                args.push("--force");
            }
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{path} (force {force}): {}", err(&o));
            assert!(err(&o).contains("--out") && err(&o).contains(path.as_str()) && err(&o).contains(kind), "{}", err(&o));
        }
        let o = run(&["kb", "keygen", "--out-private", path.as_str(), "--out-public", &dir.path("new.pub")]);
        assert_eq!(o.status.code(), Some(2), "keygen --out-private {path}");
        assert!(err(&o).contains(path.as_str()), "{}", err(&o));
        assert!(!Path::new(&dir.path("new.pub")).exists(), "nothing is written when a target is refused");
    }
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the symlink is still a symlink");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    if have_fifo {
        assert!(!is_regular(&fifo), "the FIFO is still a FIFO");
    }
    // An existing regular file: refused, then replaced with --force.
    let o = run(&["kb", "bundle", "--kb", "2026.11.0", "--out", &target]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--force"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    let o = run(&["kb", "bundle", "--kb", "2026.11.0", "--out", &target, "--force"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(std::fs::read(&target).unwrap().starts_with(b"hepatica-kb-bundle 1\n"));
    // keygen: one path for both keys is refused, and nothing is written.
    let same = dir.path("same");
    let o = run(&["kb", "keygen", "--out-private", &same, "--out-public", &same]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--out-public") && err(&o).contains("different file"), "{}", err(&o));
    assert!(!Path::new(&same).exists());
    // sign: refuses a symlink to a bundle, keeps the bundle's mode.
    let (private, public) = (dir.path("k"), dir.path("k.pub"));
    assert!(run(&["kb", "keygen", "--out-private", &private, "--out-public", &public]).status.success());
    let bundle_link = dir.path("bundle-link");
    std::os::unix::fs::symlink(&target, &bundle_link).unwrap();
    let o = run(&["kb", "sign", &bundle_link, "--private-key", &private]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("symbolic link"), "{}", err(&o));
    assert!(std::fs::symlink_metadata(&bundle_link).unwrap().file_type().is_symlink());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = run(&["kb", "sign", &target, "--private-key", &private]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o640, "sign keeps the mode");
}

#[test]
fn kb_sign_refuses_a_public_key_and_keeps_a_good_signature() {
    let dir = Scratch::new("signkey");
    let (private, public, bundle) = (dir.path("k"), dir.path("k.pub"), dir.path("b"));
    assert!(run(&["kb", "keygen", "--out-private", &private, "--out-public", &public]).status.success());
    assert!(run(&["kb", "bundle", "--out", &bundle]).status.success());
    assert!(run(&["kb", "sign", &bundle, "--private-key", &private]).status.success());
    let good = std::fs::read(&bundle).unwrap();
    // The public key file as it is, and its hex alone without the comment.
    let hex_only = dir.path("hex");
    let text = std::fs::read_to_string(&public).unwrap();
    std::fs::write(&hex_only, text.lines().filter(|l| !l.starts_with('#')).collect::<String>()).unwrap();
    for key in [&public, &hex_only] {
        let o = run(&["kb", "sign", &bundle, "--private-key", key]);
        assert_eq!(o.status.code(), Some(2), "{key}: {}", err(&o));
        assert!(err(&o).contains("public key"), "{}", err(&o));
        assert_eq!(std::fs::read(&bundle).unwrap(), good, "the good signature is kept");
    }
    assert!(run(&["kb", "verify", &bundle, "--public-key", &public]).status.success());
    // And a private key given as the public key is named.
    let o = run(&["kb", "verify", &bundle, "--public-key", &private]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("private key"), "{}", err(&o));
}

#[test]
fn a_signed_2026_11_0_bundle_gives_the_2026_11_0_answers() {
    let dir = Scratch::new("b1110");
    let (private, public, bundle) = (dir.path("k"), dir.path("k.pub"), dir.path("b"));
    assert!(run(&["kb", "keygen", "--out-private", &private, "--out-public", &public]).status.success());
    assert!(run(&["kb", "bundle", "--kb", "2026.11.0", "--out", &bundle]).status.success());
    assert!(run(&["kb", "sign", &bundle, "--private-key", &private]).status.success());
    let by_version = run_stdin(&["assess", "--format", "json", "--kb", "2026.11.0"], CASE);
    assert!(by_version.status.success(), "{}", err(&by_version));
    let by_file = run_stdin(&["assess", "--format", "json", "--kb-file", &bundle, "--public-key", &public], CASE);
    assert!(by_file.status.success(), "{}", err(&by_file));
    let a: Value = serde_json::from_str(&out(&by_version)).unwrap();
    let b: Value = serde_json::from_str(&out(&by_file)).unwrap();
    assert_eq!(a["options"], b["options"]);
    assert_eq!(b["knowledge_base"]["version"], "2026.11.0");
    // The frozen folder loads too, with the same answers.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../releases/2026.11.0");
    let by_dir = run_stdin(&["assess", "--format", "json", "--kb-dir", folder.to_str().unwrap()], CASE);
    assert!(by_dir.status.success(), "{}", err(&by_dir));
    let c: Value = serde_json::from_str(&out(&by_dir)).unwrap();
    assert_eq!(a["options"], c["options"]);
}

#[test]
fn a_changed_release_that_keeps_its_version_is_stamped_draft_and_hashes_can_be_pinned() {
    let dir = Scratch::new("draft");
    let copy = dir.0.join("content");
    copy_dir(&content(), &copy);
    let copy_s = copy.to_str().unwrap();
    // An unchanged copy is the release itself: no draft stamp, no warning.
    let o = run_stdin(&["assess", "--format", "json", "--kb-dir", copy_s], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(a["knowledge_base"].get("draft").is_none(), "{}", a["knowledge_base"]);
    assert!(!err(&o).contains("draft"), "{}", err(&o));
    // Changed content under the same version.
    let kb_toml = copy.join("kb.toml");
    let text = std::fs::read_to_string(&kb_toml).unwrap();
    std::fs::write(&kb_toml, format!("{text}\n# a local change\n")).unwrap();
    let o = run_stdin(&["assess", "--format", "json", "--kb-dir", copy_s], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    let version = Knowledge::latest_version();
    assert_eq!(a["knowledge_base"]["version"], version);
    assert_eq!(a["knowledge_base"]["draft"], true);
    assert_ne!(a["knowledge_base"]["content_hash"], Knowledge::embedded().content_hash());
    assert!(err(&o).contains("warning: knowledge base") && err(&o).contains("draft"), "{}", err(&o));
    let draft_hash = a["knowledge_base"]["content_hash"].as_str().unwrap().to_string();
    // --expect-hash: the right hash passes, another is exit 2 naming both.
    let o = run_stdin(&["assess", "--format", "json", "--kb-dir", copy_s, "--expect-hash", &draft_hash], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let released = Knowledge::embedded().content_hash();
    let o = run_stdin(&["assess", "--kb-dir", copy_s, "--expect-hash", released], CASE);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty());
    assert!(err(&o).contains("--expect-hash") && err(&o).contains(&draft_hash) && err(&o).contains(released), "{}", err(&o));
    let o = run_stdin(&["assess", "--kb", "2026.11.0", "--expect-hash", released], CASE);
    assert_eq!(o.status.code(), Some(2), "2026.11.0 is not the latest's hash");
    let o = run(&["batch", "--kb-dir", copy_s, "--expect-hash", released, "--input", &dir.path("none"), "--output", &dir.path("o")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--expect-hash"), "{}", err(&o));
    let o = run(&["serve", "--kb-dir", copy_s, "--expect-hash", released, "--data-dir", &dir.path("data")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--expect-hash"), "{}", err(&o));
    // serve --kb-file refuses to shadow the embedded release without --allow-draft.
    let (private, public, bundle) = (dir.path("k"), dir.path("k.pub"), dir.path("b"));
    assert!(run(&["kb", "keygen", "--out-private", &private, "--out-public", &public]).status.success());
    assert!(run(&["kb", "bundle", "--kb-dir", copy_s, "--out", &bundle]).status.success());
    assert!(run(&["kb", "sign", &bundle, "--private-key", &private]).status.success());
    let o = run(&["serve", "--kb-file", &bundle, "--public-key", &public, "--data-dir", &dir.path("data")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--allow-draft") && err(&o).contains(&draft_hash), "{}", err(&o));
    let o = run_stdin(&["assess", "--format", "json", "--kb-file", &bundle, "--public-key", &public], CASE);
    assert!(o.status.success(), "{}", err(&o));
    let a: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(a["knowledge_base"]["draft"], true);
}

#[test]
fn text_and_markdown_show_the_content_hash_and_the_newer_release() {
    let old = Knowledge::release("2026.11.0").unwrap();
    for format in ["text", "markdown"] {
        let o = run_stdin(&["assess", "--format", format, "--kb", "2026.11.0"], CASE);
        assert!(o.status.success(), "{}", err(&o));
        let text = out(&o);
        assert!(text.contains(&old.content_hash()[..12]), "{format}: {text}");
        assert!(text.contains(&format!("superseded by {}", Knowledge::latest_version())), "{format}: {text}");
        let o = run_stdin(&["assess", "--format", format], CASE);
        let text = out(&o);
        assert!(text.contains(&Knowledge::embedded().content_hash()[..12]) && !text.contains("superseded by"), "{format}: {text}");
    }
}
