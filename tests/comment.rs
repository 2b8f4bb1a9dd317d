//! `reachdiff comment github` against a mock GitHub REST API started on loopback inside
//! each test: create, update, unchanged (no post), a newer run's comment (never
//! overwritten), `new`, `delete-and-new`, pagination, and the errors GitHub answers
//! with (401, 403, rate limits, 404). The token never appears in any output.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use assert_cmd::Command;
use serde_json::{Value, json};

const TOKEN: &str = "ghs_secret-token-never-printed";

/// What the mock answers instead of the normal routes.
#[derive(Clone)]
struct Failure {
    status: u16,
    headers: Vec<(&'static str, String)>,
    message: &'static str,
}

#[derive(Default)]
struct State {
    comments: Vec<(u64, String)>,
    next_id: u64,
    requests: Vec<String>,
    authorised: bool,
    failure: Option<Failure>,
    /// Only this method fails (`None`: every request).
    failing_method: Option<&'static str>,
}

/// A mock of the few GitHub endpoints reachdiff uses, on 127.0.0.1, stopped on drop.
struct Mock {
    url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    fn start(comments: Vec<(u64, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            comments,
            authorised: true,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&state), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    serve(conn, &s);
                }
            }
        });
        Self {
            url,
            state,
            stop,
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    fn comments(&self) -> Vec<(u64, String)> {
        self.state.lock().unwrap().comments.clone()
    }

    fn fail_with(&self, failure: Failure) {
        self.state.lock().unwrap().failure = Some(failure);
    }

    fn fail_method_with(&self, method: &'static str, failure: Failure) {
        let mut s = self.state.lock().unwrap();
        s.failure = Some(failure);
        s.failing_method = Some(method);
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut length = 0;
    let mut auth = String::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "authorization" => value.trim().clone_into(&mut auth),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, headers, reply) = route(state, &method, &path, &auth, &body);
    let reason = match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Other",
    };
    let text = if reply.is_null() {
        String::new()
    } else {
        reply.to_string()
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        text.len()
    );
    for (k, v) in headers {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&text);
    let mut conn = conn;
    let _ = conn.write_all(out.as_bytes());
}

fn route(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    auth: &str,
    body: &Value,
) -> (u16, Vec<(&'static str, String)>, Value) {
    let mut s = state.lock().unwrap();
    s.requests.push(format!("{method} {path}"));
    s.authorised &= auth == format!("Bearer {TOKEN}");
    if let Some(f) = s.failure.clone()
        && s.failing_method.is_none_or(|m| m == method)
    {
        return (f.status, f.headers, json!({ "message": f.message }));
    }
    let comment = |id: u64, body: &str| json!({ "id": id, "body": body, "html_url": format!("https://github.test/o/r/pull/7#issuecomment-{id}") });
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    match (method, route) {
        ("GET", "/repos/o/r/issues/7/comments") => {
            let page: usize = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let items: Vec<Value> = s
                .comments
                .iter()
                .skip((page - 1) * 100)
                .take(100)
                .map(|(id, b)| comment(*id, b))
                .collect();
            (200, vec![], Value::Array(items))
        }
        ("POST", "/repos/o/r/issues/7/comments") => {
            s.next_id += 1;
            let id = s.next_id;
            let text = body["body"].as_str().unwrap().to_owned();
            s.comments.push((id, text.clone()));
            (201, vec![], comment(id, &text))
        }
        ("PATCH" | "DELETE", r) if r.starts_with("/repos/o/r/issues/comments/") => {
            let id: u64 = r.rsplit('/').next().unwrap().parse().unwrap();
            let Some(i) = s.comments.iter().position(|(c, _)| *c == id) else {
                return (404, vec![], json!({ "message": "Not Found" }));
            };
            if method == "DELETE" {
                s.comments.remove(i);
                return (204, vec![], Value::Null);
            }
            let text = body["body"].as_str().unwrap().to_owned();
            s.comments[i].1.clone_from(&text);
            (200, vec![], comment(id, &text))
        }
        _ => (404, vec![], json!({ "message": "Not Found" })),
    }
}

fn body_file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("comment");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `reachdiff comment github` against `mock`; returns (exit status, stdout,
/// stderr), after checking that the token was sent and never printed.
fn post(mock: &Mock, body: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args([
            "comment",
            "github",
            "--repo",
            "o/r",
            "--pr",
            "7",
            "--api-url",
            &mock.url,
            "--body",
        ])
        .arg(body)
        .args(extra)
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_API_URL")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked"
    );
    assert!(
        mock.state.lock().unwrap().authorised,
        "the token was not sent as a bearer token"
    );
    (out.status.code().unwrap(), stdout, stderr)
}

const RUN_5: &str = "<!-- reachdiff:comment id=default run=5.1 -->\n### report of run 5\n";
const RUN_6: &str = "<!-- reachdiff:comment id=default run=6.1 -->\n### report of run 6\n";

#[test]
fn a_first_report_creates_the_comment() {
    let mock = Mock::start(vec![(1, "LGTM".into())]);
    let (code, stdout, _) = post(&mock, &body_file("create.md", RUN_5), &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("reachdiff: comment created on #7: https://github.test/"),
        "{stdout}"
    );
    assert_eq!(
        mock.comments(),
        [(1, "LGTM".to_owned()), (1001, RUN_5.to_owned())]
    );
    assert_eq!(
        mock.requests(),
        [
            "GET /repos/o/r/issues/7/comments?per_page=100&page=1",
            "POST /repos/o/r/issues/7/comments"
        ]
    );
}

#[test]
fn a_later_report_updates_the_comment_in_place() {
    let mock = Mock::start(vec![(1, "LGTM".into()), (2, RUN_5.into())]);
    let (code, stdout, _) = post(&mock, &body_file("update.md", RUN_6), &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("comment updated on #7"), "{stdout}");
    assert_eq!(
        mock.comments(),
        [(1, "LGTM".to_owned()), (2, RUN_6.to_owned())]
    );
    assert_eq!(mock.requests()[1], "PATCH /repos/o/r/issues/comments/2");
}

#[test]
fn an_unchanged_report_is_not_posted_again() {
    let mock = Mock::start(vec![(2, RUN_5.into())]);
    let (code, stdout, _) = post(&mock, &body_file("same.md", RUN_5), &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("unchanged; not posted again"), "{stdout}");
    assert_eq!(mock.requests().len(), 1, "only the listing");
}

#[test]
fn an_older_run_never_overwrites_a_newer_one() {
    let mock = Mock::start(vec![(2, RUN_6.into())]);
    for behaviour in ["update", "delete-and-new"] {
        let (code, stdout, _) = post(
            &mock,
            &body_file("stale.md", RUN_5),
            &["--behaviour", behaviour],
        );
        assert_eq!(code, 0);
        assert!(
            stdout.contains("already has the report of a newer run (6.1) than this one (5.1)"),
            "{stdout}"
        );
    }
    assert_eq!(mock.comments(), [(2, RUN_6.to_owned())]);
    assert!(mock.requests().iter().all(|r| r.starts_with("GET ")));
}

#[test]
fn new_and_delete_and_new_behaviours() {
    let mock = Mock::start(vec![(2, RUN_5.into())]);
    let (code, _, _) = post(&mock, &body_file("new.md", RUN_6), &["--behaviour", "new"]);
    assert_eq!(code, 0);
    assert_eq!(
        mock.comments(),
        [(2, RUN_5.to_owned()), (1001, RUN_6.to_owned())]
    );
    let run_7 = RUN_6.replace("run=6.1", "run=7.1");
    let (code, stdout, _) = post(
        &mock,
        &body_file("renew.md", &run_7),
        &["--behaviour", "delete-and-new"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(mock.comments(), [(1002, run_7)]);
    let deletes: Vec<String> = mock
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("DELETE"))
        .collect();
    assert_eq!(
        deletes,
        [
            "DELETE /repos/o/r/issues/comments/2",
            "DELETE /repos/o/r/issues/comments/1001"
        ]
    );
}

#[test]
fn other_ids_and_pages_are_followed() {
    // 150 comments: ours is on the second page; another report id is left alone.
    let mut comments: Vec<(u64, String)> = (1..=148).map(|i| (i, format!("comment {i}"))).collect();
    comments.push((
        149,
        "<!-- reachdiff:comment id=staging run=9.1 -->\nother".into(),
    ));
    comments.push((150, RUN_5.into()));
    let mock = Mock::start(comments);
    let (code, stdout, _) = post(&mock, &body_file("paged.md", RUN_6), &[]);
    assert_eq!(code, 0, "{stdout}");
    let requests = mock.requests();
    assert_eq!(
        requests[1],
        "GET /repos/o/r/issues/7/comments?per_page=100&page=2"
    );
    assert_eq!(requests[2], "PATCH /repos/o/r/issues/comments/150");
}

#[test]
fn github_errors_are_explained() {
    let cases = [
        (
            Failure {
                status: 401,
                headers: vec![],
                message: "Bad credentials",
            },
            "GitHub rejected the token (401 Bad credentials)",
        ),
        (
            Failure {
                status: 403,
                headers: vec![],
                message: "Resource not accessible by integration",
            },
            "permissions: pull-requests: write",
        ),
        (
            Failure {
                status: 403,
                headers: vec![
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", "1800000000".into()),
                ],
                message: "API rate limit exceeded",
            },
            "rate limit is exhausted until 08:00 UTC (Unix time 1800000000)",
        ),
        (
            Failure {
                status: 429,
                headers: vec![("retry-after", "60".into())],
                message: "secondary rate limit",
            },
            "rate limit is exhausted (retry after 60 s)",
        ),
        (
            Failure {
                status: 404,
                headers: vec![],
                message: "Not Found",
            },
            "check the repository (o/r) and pull request number",
        ),
    ];
    for (failure, needle) in cases {
        let mock = Mock::start(vec![]);
        mock.fail_with(failure);
        let (code, _, stderr) = post(&mock, &body_file("err.md", RUN_5), &[]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

#[test]
fn missing_settings_are_clear_errors() {
    let body = body_file("settings.md", RUN_5);
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::cargo_bin("reachdiff").unwrap();
        cmd.args(["comment", "github", "--body"])
            .arg(&body)
            .args(args)
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_REPOSITORY")
            .env_remove("GITHUB_EVENT_PATH");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(run(&[], &["--repo", "o/r", "--pr", "7"]).contains("GITHUB_TOKEN is not set"));
    assert!(run(&[("GITHUB_TOKEN", TOKEN)], &["--pr", "7"]).contains("give --repo OWNER/NAME"));
    assert!(run(&[("GITHUB_TOKEN", TOKEN)], &["--repo", "o/r"]).contains("give --pr NUMBER"));
    let plain = body_file("plain.md", "no marker here\n");
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(["comment", "github", "--repo", "o/r", "--pr", "7", "--body"])
        .arg(&plain)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("does not start with reachdiff's marker")
    );
}

#[test]
fn the_pull_request_comes_from_the_event_payload() {
    let mock = Mock::start(vec![]);
    let event = body_file("event.json", r#"{"pull_request": {"number": 7}}"#);
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(["comment", "github", "--body"])
        .arg(body_file("event.md", RUN_5))
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_API_URL", &mock.url)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mock.comments().len(), 1);
}

#[test]
fn a_redirected_post_is_an_error_not_a_success() {
    // A client that follows a 301/302 repeats the POST as a GET, gets the listing
    // back with 200 and would report the comment as posted.
    let mock = Mock::start(vec![]);
    mock.fail_method_with(
        "POST",
        Failure {
            status: 301,
            headers: vec![("location", format!("{}/repos/o/renamed", mock.url))],
            message: "Moved Permanently",
        },
    );
    let (code, stdout, stderr) = post(&mock, &body_file("redirect.md", RUN_5), &[]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("GitHub answered 301 (a redirect to "),
        "{stderr}"
    );
    assert!(stderr.contains("does not follow redirects"), "{stderr}");
    assert_eq!(
        mock.requests(),
        [
            "GET /repos/o/r/issues/7/comments?per_page=100&page=1",
            "POST /repos/o/r/issues/7/comments"
        ],
        "the redirect was not followed"
    );
    assert!(mock.comments().is_empty());
}

#[test]
fn the_servers_message_is_cleaned_and_cut() {
    let hostile: &'static str = Box::leak(
        format!(
            "\x1b[2J\x1b[31mowned\n::error::forged annotation\r\n{}",
            "A".repeat(5000)
        )
        .into_boxed_str(),
    );
    let mock = Mock::start(vec![]);
    mock.fail_with(Failure {
        status: 500,
        headers: vec![],
        message: hostile,
    });
    let (code, _, stderr) = post(&mock, &body_file("hostile.md", RUN_5), &[]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(!stderr.contains("\n::error"), "{stderr:?}");
    assert!(
        stderr.contains("owned ::error::forged annotation A"),
        "{stderr}"
    );
    assert!(stderr.chars().count() < 400, "{} characters", stderr.len());
}

#[test]
fn plain_http_is_refused_unless_to_this_machine() {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(["comment", "github", "--repo", "o/r", "--pr", "7"])
        .args(["--api-url", "http://user:hunter2@api.github.test"])
        .arg("--body")
        .arg(body_file("http.md", RUN_5))
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("is plain http: the token would cross the network unencrypted"),
        "{stderr}"
    );
    assert!(stderr.contains("http://***@api.github.test"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_password_in_the_api_url_is_never_printed() {
    // A closed port on this machine: the connection fails and the error names the URL.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args([
            "comment",
            "github",
            "--repo",
            "o/r",
            "--pr",
            "7",
            "--api-url",
        ])
        .arg(format!("http://user:hunter2@127.0.0.1:{port}"))
        .arg("--body")
        .arg(body_file("userinfo.md", RUN_5))
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cannot reach the GitHub API at http://***@127.0.0.1:"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
