//! A small W3C WebDriver client over awc, driving Debian's Chromium through its
//! `chromedriver` (headless), with axe-core run in every page the tests visit and a
//! screenshot of each kept under `target/screenshots/`.
//!
//! The handful of commands the tests use is about 200 lines over the HTTP client the
//! tests already have; a WebDriver crate would add hyper and the `webdriver` crate's
//! Unicode segmentation tables to the build for the same commands.
//!
//! Without `chromium` and `chromedriver` (`apt-get install chromium chromium-driver`)
//! the browser tests say so and pass, unless `HOMEWARD_BROWSER_TESTS=required` (as
//! `.ci/run` sets), when they fail.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const AXE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/vendor/axe-core/axe.min.js"
));
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = " ";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    http: awc::Client,
    session: String,
    profile: PathBuf,
    _driver: Driver,
}

/// Ends the WebDriver session (closing Chromium) even when a test fails midway: a
/// plain blocking request, as `Drop` cannot wait on the async client.
impl Drop for Browser {
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let Some((host, path)) = self
            .session
            .strip_prefix("http://")
            .and_then(|s| s.split_once('/'))
        else {
            return;
        };
        if let Ok(mut c) = std::net::TcpStream::connect(host) {
            let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                c,
                "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = c.read_to_end(&mut Vec::new());
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn found(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

impl Browser {
    /// A fresh headless Chromium, or `None` (with a note) where none is installed and
    /// the browser tests are not required.
    pub async fn start() -> Option<Browser> {
        let required = std::env::var("HOMEWARD_BROWSER_TESTS").as_deref() == Ok("required");
        let (Some(driver), Some(chromium)) = (found("chromedriver"), found("chromium")) else {
            assert!(
                !required,
                "HOMEWARD_BROWSER_TESTS=required but chromium or chromedriver is missing: apt-get install chromium chromium-driver"
            );
            eprintln!("browser test skipped: apt-get install chromium chromium-driver to run it");
            return None;
        };
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver(child);
        let http = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(mut r) = http.get(format!("{base}/status")).send().await {
                let v: Value = r.json().await.unwrap_or(Value::Null);
                if v["value"]["ready"] == json!(true) {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("homeward-chromium-{}", uuid::Uuid::new_v4()));
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1200,1000", "--no-first-run", "--no-default-browser-check",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let mut r = http
            .post(format!("{base}/session"))
            .send_json(&caps)
            .await
            .expect("new WebDriver session");
        let v: Value = r.json().limit(1 << 20).await.expect("session reply");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        let b = Browser {
            http,
            session: format!("{base}/session/{id}"),
            profile,
            _driver: driver,
        };
        // Elements are waited for a little, as a page loads after a form is sent.
        b.cmd("POST", "/timeouts", Some(json!({ "implicit": 3000 })))
            .await;
        Some(b)
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url),
        };
        let mut res = match body {
            Some(b) => req.send_json(&b).await,
            None if method == "POST" => req.send_json(&json!({})).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let v: Value = res.json().limit(64 << 20).await.expect("WebDriver reply");
        if let Some(err) = v["value"]["error"].as_str() {
            panic!(
                "WebDriver {method} {path}: {err}: {}",
                v["value"]["message"]
            );
        }
        v["value"].clone()
    }

    /// Opens `url`; axe-core runs in the page it loads (as in every page a test visits).
    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).await;
        self.axe(url).await;
    }

    pub async fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Marks the current document, runs `act`, and waits (up to 10 s) for a new document
    /// to have loaded (a form sent by a click or a key returns before the next page is
    /// in); then runs axe-core in it.
    async fn and_load(&self, act: impl std::future::Future<Output = ()>) {
        self.script("window.__homewardOld = true;", json!([])).await;
        act.await;
        let started = Instant::now();
        loop {
            let loaded = self
                .script(
                    "return !window.__homewardOld && document.readyState === 'complete';",
                    json!([]),
                )
                .await;
            if loaded == json!(true) {
                return self.axe(&self.url().await).await;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no new page loaded at {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css` (a submit button or a link) and waits for the page it loads.
    pub async fn click_and_load(&self, css: &str) {
        self.and_load(self.click(css)).await;
    }

    /// Presses `keys` (e.g. `ENTER` on a button) and waits for the page they load.
    pub async fn keys_and_load(&self, keys: &str) {
        self.and_load(self.keys(keys)).await;
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .cmd(
                "POST",
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .await
        .as_array()
        .map_or(0, Vec::len)
    }

    pub async fn click(&self, css: &str) {
        let e = self.element(css).await;
        self.cmd("POST", &format!("/element/{e}/click"), None).await;
    }

    /// Clears the field and types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.element(css).await;
        self.cmd("POST", &format!("/element/{e}/clear"), None).await;
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.element(css).await;
        self.cmd("GET", &format!("/element/{e}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Fetches `path` from the page (same origin, the browser's own cookies), as a
    /// download link would: `(status, content type, body)`.
    pub async fn fetch(&self, path: &str) -> (u16, String, String) {
        let v = self
            .cmd(
                "POST",
                "/execute/async",
                Some(json!({ "script": "const done = arguments[arguments.length - 1];
                    fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type') || '', await r.text()]))
                      .catch(e => done([0, '', String(e)]));", "args": [path] })),
            )
            .await;
        (
            v[0].as_u64().unwrap_or(0) as u16,
            v[1].as_str().unwrap_or_default().to_owned(),
            v[2].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Presses keys (WebDriver key codes such as `TAB`) on whatever has the focus.
    pub async fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({ "type": "keyDown", "value": k.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": k.to_string() }));
        }
        self.cmd(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        )
        .await;
    }

    /// Presses Tab until the focused element matches `css` (at most 60 times), as a
    /// keyboard user moves through the page.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..60 {
            let here = self
                .script(
                    "return document.activeElement && document.activeElement.matches(arguments[0]);",
                    json!([css]),
                )
                .await;
            if here == json!(true) {
                return;
            }
            self.keys(TAB).await;
        }
        panic!("Tab never reached {css} on {}", self.url().await);
    }

    /// Saves a screenshot as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let png = self.cmd("GET", "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs axe-core in the page: fails on any serious or critical violation.
    pub async fn axe(&self, name: &str) {
        self.script(&format!("{AXE}\n;return true;"), json!([]))
            .await;
        let found = self
            .cmd(
                "POST",
                "/execute/async",
                Some(json!({ "script": "const done = arguments[arguments.length - 1];
                    axe.run(document, { resultTypes: ['violations'] })
                      .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map(n => n.target.join(' ')) }))))
                      .catch(e => done('axe failed: ' + e));", "args": [] })),
            )
            .await;
        let violations = found
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {found}"));
        let serious: Vec<&Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{name} ({}): axe found serious or critical violations: {}",
            self.url().await,
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }

    /// A screenshot of the page for the record (axe-core has run in it on loading).
    pub async fn check(&self, name: &str) {
        self.screenshot(name).await;
    }

    /// Closes the browser (as dropping it does).
    pub fn quit(self) {}
}
