//! `reachdiff comment github`: creates or updates the pull-request comment through the
//! GitHub REST API.
//!
//! The comment is found by the hidden marker the Markdown report starts with
//! (`<!-- reachdiff:comment id=… run=… -->`): the same `id` is the same comment. A
//! comment whose `run` stamp is newer than ours is never replaced or deleted, so a
//! slow, older run cannot overwrite a newer one's report. An unchanged body is not
//! posted again. The token (`GITHUB_TOKEN`) goes only into the `Authorization` header
//! and never into a message; neither does a password in the API URL. The API URL must be
//! `https://` (plain `http://` only to this machine, for tests), redirects are never
//! followed (a POST redirected and repeated as a GET would look like success), and what
//! the server says is shown on one line, without control characters, cut at 200
//! characters.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// What to do with an earlier comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Behaviour {
    /// Edit the comment found by the marker, or create one.
    Update,
    /// Always create a new comment.
    New,
    /// Delete the earlier comments of this id, then create a new one.
    DeleteAndNew,
}

/// Arguments of `reachdiff comment github`.
#[derive(Debug, clap::Args)]
pub(crate) struct GithubArgs {
    /// The comment body: a file written by `--format markdown=FILE`, or `-` for standard
    /// input.
    #[arg(long, value_name = "FILE")]
    pub body: PathBuf,

    /// The repository, `OWNER/NAME`. Default: `$GITHUB_REPOSITORY`.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The pull request number. Default: the one in `$GITHUB_EVENT_PATH`'s event.
    #[arg(long, value_name = "NUMBER")]
    pub pr: Option<u64>,

    /// What to do with an earlier reachdiff comment.
    #[arg(long, value_enum, default_value_t = Behaviour::Update)]
    pub behaviour: Behaviour,

    /// The API base URL, for GitHub Enterprise Server (`https://HOST/api/v3`). Default:
    /// `$GITHUB_API_URL`, else `https://api.github.com`. Must be https (http only to
    /// this machine).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
}

/// The marker's fields: `id` and, when present, `run`.
fn marker_of(body: &str) -> Option<(String, Option<String>)> {
    let rest = body.trim_start().strip_prefix("<!-- reachdiff:comment ")?;
    let inner = &rest[..rest.find("-->")?];
    let mut id = None;
    let mut run = None;
    for field in inner.split_whitespace() {
        match field.split_once('=') {
            Some(("id", v)) => id = Some(v.to_owned()),
            Some(("run", v)) => run = Some(v.to_owned()),
            _ => {}
        }
    }
    Some((id?, run))
}

/// `RUN_ID.ATTEMPT` as numbers, for ordering.
fn stamp(run: &str) -> Option<(u64, u64)> {
    let (id, attempt) = run.split_once('.').unwrap_or((run, "0"));
    Some((id.parse().ok()?, attempt.parse().ok()?))
}

/// `true` when `theirs` is a later run than `ours`.
fn newer(theirs: Option<&str>, ours: Option<&str>) -> bool {
    match (theirs.and_then(stamp), ours.and_then(stamp)) {
        (Some(t), Some(o)) => t > o,
        _ => false,
    }
}

struct Api {
    agent: ureq::Agent,
    base: String,
    token: String,
    repo: String,
}

impl Api {
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        macro_rules! headers {
            ($b:expr) => {
                $b.header("Authorization", &auth)
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header(
                        "User-Agent",
                        concat!("reachdiff/", env!("CARGO_PKG_VERSION")),
                    )
            };
        }
        let sent = match (method, body) {
            ("GET", _) => headers!(self.agent.get(&url)).call(),
            ("DELETE", _) => headers!(self.agent.delete(&url)).call(),
            ("POST", Some(b)) => headers!(self.agent.post(&url))
                .header("Content-Type", "application/json")
                .send(b.to_string()),
            ("PATCH", Some(b)) => headers!(self.agent.patch(&url))
                .header("Content-Type", "application/json")
                .send(b.to_string()),
            _ => bail!("internal: {method} without a body"),
        };
        let mut response = sent.map_err(|e| {
            anyhow::anyhow!(
                "cannot reach the GitHub API at {}: {}",
                redacted(&self.base),
                server_text(&redact_userinfo(&e.to_string()))
            )
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (remaining, reset, retry_after, location) = (
            header("x-ratelimit-remaining"),
            header("x-ratelimit-reset"),
            header("retry-after"),
            header("location"),
        );
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok((status, value));
        }
        // The server's words are shown cleaned and cut short: a proxy or a hostile
        // server could send terminal escapes, workflow commands or pages of HTML.
        let message = server_text(value["message"].as_str().unwrap_or("no message"));
        let what = format!("{method} {path}");
        match status {
            // A redirect is never followed: a client following a POST's 301/302 would
            // repeat it as a GET and take the listing it gets back for success.
            300..=399 => bail!(
                "GitHub answered {status} (a redirect{}) on {what}; reachdiff does not follow redirects: check the API URL ({}) and the repository ({}) — a renamed repository needs its new name",
                location.map_or_else(String::new, |l| format!(
                    " to {}",
                    server_text(&redacted(&l))
                )),
                redacted(&self.base),
                self.repo
            ),
            401 => bail!(
                "GitHub rejected the token (401 {message}) on {what}: check that GITHUB_TOKEN is set to a valid token"
            ),
            403 | 429
                if remaining.as_deref() == Some("0") || retry_after.is_some() || status == 429 =>
            {
                let until = reset.and_then(|r| r.parse::<u64>().ok()).map_or_else(
                    || retry_after.map_or_else(String::new, |s| format!(" (retry after {s} s)")),
                    |r| format!(" until {} (Unix time {r})", clock(r)),
                );
                bail!("GitHub's API rate limit is exhausted{until} on {what}; try again later")
            }
            403 => bail!(
                "GitHub refused {what} (403 {message}): the token needs permission to comment — give the workflow `permissions: pull-requests: write` (workflows from forks get a read-only token)"
            ),
            404 => bail!(
                "GitHub found nothing at {what} (404 {message}): check the repository ({}) and pull request number, and that the token can see the repository",
                self.repo
            ),
            _ => bail!("GitHub answered {status} ({message}) on {what}"),
        }
    }
}

/// Text from the server, fit for one line of a log: control characters (terminal
/// escapes, line breaks) become spaces, runs of spaces one, and it is cut at 200
/// characters.
fn server_text(text: &str) -> String {
    const MAX: usize = 200;
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let one_line = words.join(" ");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// `url` with any user and password replaced by `***`
/// (`https://***@ghe.example.com/api/v3`), for messages.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    }
}

/// Every URL in `text` redacted (an HTTP client's error may quote the URL it used).
fn redact_userinfo(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains("://") {
                redacted(word)
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The API base URL, checked: `https://`, or `http://` only to this machine (a test
/// server); a token must never cross a network in clear text.
fn api_base(url: &str) -> Result<String> {
    let base = url.trim_end_matches('/').to_owned();
    let Some((scheme, rest)) = base.split_once("://") else {
        bail!(
            "the API URL {} has no scheme; give https://… (GitHub Enterprise Server: https://HOST/api/v3)",
            redacted(&base)
        );
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        bail!("the API URL {} names no host", redacted(&base));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(base),
        "http" if is_loopback(host) => Ok(base),
        "http" => bail!(
            "the API URL {} is plain http: the token would cross the network unencrypted; use https:// (http is allowed only to this machine, for tests)",
            redacted(&base)
        ),
        other => bail!(
            "the API URL {} uses {other}:// ; give an https:// URL",
            redacted(&base)
        ),
    }
}

/// `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `HH:MM UTC` of a Unix time.
fn clock(unix: u64) -> String {
    let day = unix % 86_400;
    format!("{:02}:{:02} UTC", day / 3600, day % 3600 / 60)
}

/// The pull request number in the event payload of a GitHub Actions run.
fn event_pr() -> Option<u64> {
    let path = std::env::var_os("GITHUB_EVENT_PATH")?;
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    event["pull_request"]["number"]
        .as_u64()
        .or_else(|| event["issue"]["number"].as_u64())
        .or_else(|| event["number"].as_u64())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Every earlier comment with marker `id` on the pull request, oldest first.
fn earlier_comments(api: &Api, repo: &str, pr: u64, id: &str) -> Result<Vec<(u64, String)>> {
    let mut ours: Vec<(u64, String)> = Vec::new();
    for page in 1.. {
        let (_, list) = api.request(
            "GET",
            &format!("/repos/{repo}/issues/{pr}/comments?per_page=100&page={page}"),
            None,
        )?;
        let items = list.as_array().cloned().unwrap_or_default();
        for c in &items {
            let text = c["body"].as_str().unwrap_or_default();
            if marker_of(text).is_some_and(|(i, _)| i == id)
                && let Some(n) = c["id"].as_u64()
            {
                ours.push((n, text.to_owned()));
            }
        }
        if items.len() < 100 {
            break;
        }
    }
    Ok(ours)
}

/// The comment body, from a file or standard input.
fn read_body(path: &std::path::Path) -> Result<String> {
    use reachdiff::limits;
    let bytes = if path.as_os_str() == "-" {
        limits::read_stdin(limits::COMMENT)
    } else {
        limits::read_file(path, limits::COMMENT)
    }
    .map_err(|kind| reachdiff::Error::new(Some(path.to_path_buf()), kind))?;
    String::from_utf8(bytes)
        .with_context(|| format!("the comment body {} is not UTF-8 text", path.display()))
}

/// Runs the command; returns what happened, in one line.
pub(crate) fn github(args: &GithubArgs) -> Result<String> {
    let Some(token) = env("GITHUB_TOKEN") else {
        bail!(
            "GITHUB_TOKEN is not set; in a workflow pass `env: GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}` (with `permissions: pull-requests: write`)"
        );
    };
    let Some(repo) = args.repo.clone().or_else(|| env("GITHUB_REPOSITORY")) else {
        bail!("no repository: give --repo OWNER/NAME (GITHUB_REPOSITORY is not set)");
    };
    if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
        bail!("--repo must be OWNER/NAME, not {repo:?}");
    }
    let Some(pr) = args.pr.or_else(event_pr) else {
        bail!(
            "no pull request: give --pr NUMBER (the event in GITHUB_EVENT_PATH is not a pull request)"
        );
    };
    let body = read_body(&args.body)?;
    let Some((id, run)) = marker_of(&body) else {
        bail!(
            "{} does not start with reachdiff's marker; write it with `reachdiff plan --format markdown=FILE`",
            args.body.display()
        );
    };
    let base = api_base(
        &args
            .api_url
            .clone()
            .or_else(|| env("GITHUB_API_URL"))
            .unwrap_or_else(|| "https://api.github.com".to_owned()),
    )?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let api = Api {
        agent,
        base,
        token,
        repo: repo.clone(),
    };

    let ours = earlier_comments(&api, &repo, pr, &id)?;
    if let Some((_, newest)) = ours.iter().find(|(_, text)| {
        newer(
            marker_of(text).and_then(|(_, r)| r).as_deref(),
            run.as_deref(),
        )
    }) {
        let theirs = marker_of(newest).and_then(|(_, r)| r).unwrap_or_default();
        return Ok(format!(
            "not posted: pull request #{pr} already has the report of a newer run ({theirs}) than this one ({})",
            run.unwrap_or_default()
        ));
    }
    let create = |api: &Api| -> Result<String> {
        let (_, c) = api.request(
            "POST",
            &format!("/repos/{repo}/issues/{pr}/comments"),
            Some(&json!({ "body": body })),
        )?;
        Ok(format!(
            "comment created on #{pr}: {}",
            c["html_url"].as_str().unwrap_or_default()
        ))
    };
    match args.behaviour {
        Behaviour::New => create(&api),
        Behaviour::Update => match ours.last() {
            None => create(&api),
            Some((_, text)) if *text == body => {
                Ok(format!("comment on #{pr} unchanged; not posted again"))
            }
            Some((n, _)) => {
                let (_, c) = api.request(
                    "PATCH",
                    &format!("/repos/{repo}/issues/comments/{n}"),
                    Some(&json!({ "body": body })),
                )?;
                Ok(format!(
                    "comment updated on #{pr}: {}",
                    c["html_url"].as_str().unwrap_or_default()
                ))
            }
        },
        Behaviour::DeleteAndNew => {
            if ours.len() == 1 && ours[0].1 == body {
                return Ok(format!("comment on #{pr} unchanged; not posted again"));
            }
            for (n, _) in &ours {
                api.request(
                    "DELETE",
                    &format!("/repos/{repo}/issues/comments/{n}"),
                    None,
                )?;
            }
            create(&api)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_gives_id_and_run() {
        assert_eq!(
            marker_of("<!-- reachdiff:comment id=prod run=123.2 -->\n### x"),
            Some(("prod".into(), Some("123.2".into())))
        );
        assert_eq!(
            marker_of("<!-- reachdiff:comment id=default -->"),
            Some(("default".into(), None))
        );
        assert_eq!(marker_of("hello"), None);
    }

    #[test]
    fn server_text_is_one_clean_short_line() {
        assert_eq!(
            server_text("Bad\x1b[31m credentials\n::error::forged\r\n"),
            "Bad [31m credentials ::error::forged"
        );
        let long = "x".repeat(500);
        assert_eq!(server_text(&long).chars().count(), 201);
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redacted("https://user:hunter2@ghe.example.com/api/v3"),
            "https://***@ghe.example.com/api/v3"
        );
        assert_eq!(redacted("https://api.github.com"), "https://api.github.com");
        assert_eq!(
            redact_userinfo("error: http://a:b@h/x failed"),
            "error: http://***@h/x failed"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_this_machine() {
        assert!(api_base("https://api.github.com/").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost/api",
            "http://[::1]:9",
        ] {
            assert!(api_base(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.github.com",
            "http://127.0.0.1.evil.example",
            "http://user:pw@10.0.0.1/api",
            "ftp://x",
            "api.github.com",
        ] {
            let e = api_base(bad).unwrap_err().to_string();
            assert!(!e.contains("pw"), "{e}");
        }
    }

    #[test]
    fn runs_are_ordered_by_id_then_attempt() {
        assert!(newer(Some("124.1"), Some("123.9")));
        assert!(newer(Some("123.2"), Some("123.1")));
        assert!(!newer(Some("123.1"), Some("123.1")));
        assert!(!newer(Some("99.1"), Some("123.1")));
        assert!(
            !newer(None, Some("1.1")),
            "an unstamped comment is never newer"
        );
        assert!(
            !newer(Some("1.1"), None),
            "an unstamped run replaces anything"
        );
    }
}
