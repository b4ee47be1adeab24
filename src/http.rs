//! The project's one HTTP client (ureq, rustls on ring): `probe fleet`
//! talking to GoCD, and the `http` check. TLS is verified against the
//! system's CA store (or a given CA file); the proxy variables are
//! honoured as curl reads them (per scheme, lowercase `http_proxy` only
//! for http URLs, NO_PROXY by domain) and the
//! proxy used is reported; credentials (Authorization, a URL's or a
//! proxy's userinfo) are never put in a message.

use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// How a client connects.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// For connecting, and for each read and write.
    pub timeout: Option<Duration>,
    /// PEM certificates to trust instead of the system's store.
    pub ca_file: Option<PathBuf>,
    /// Do not verify TLS certificates at all.
    pub insecure: bool,
    /// Follow redirects (for GET and HEAD).
    pub follow_redirects: bool,
}

/// Credentials for a request. Never shown.
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    Bearer(String),
    Basic {
        user: String,
        password: String,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Auth::None => "no credentials",
            Auth::Bearer(_) => "a bearer token",
            Auth::Basic { .. } => "a user and password",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Patch,
    Post,
}

/// What else a request carries besides its method, URL, Accept and
/// credentials.
#[derive(Debug, Clone, Default)]
pub struct Extra<'a> {
    /// More headers (a cookie, `X-GoCD-Confirm`).
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body, for PATCH and POST.
    pub json: Option<&'a [u8]>,
}

/// An answer, whatever its status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was longer than the limit and was cut.
    pub truncated: bool,
    /// The proxy the request went through (`proxy.example.com:3128`), if any.
    pub proxy: Option<String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer: always names the URL (without its
/// userinfo) and says what to fix where it can.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    pub url: String,
    pub message: String,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.message)
    }
}

impl std::error::Error for HttpError {}

/// A client for one kind of use (its TLS roots and timeouts).
pub struct HttpClient {
    agent: ureq::Agent,
    proxies: ProxyEnv,
}

/// rustls on ring with the AES-GCM cipher suites only: every TLS server
/// offers them (TLS 1.3 requires AES-128-GCM), and leaving ChaCha20-Poly1305
/// out keeps its code out of the static binary (docs/performance.md). Built
/// whole rather than from ring's default provider, which would bring the
/// other suites back; the probe presents no client certificate, so it
/// loads no private keys.
fn provider() -> rustls::crypto::CryptoProvider {
    use rustls::crypto::ring::{cipher_suite as suite, kx_group};
    rustls::crypto::CryptoProvider {
        cipher_suites: vec![
            suite::TLS13_AES_256_GCM_SHA384,
            suite::TLS13_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURES,
        secure_random: &Random,
        key_provider: &NoKeys,
    }
}

/// The signatures a server's certificate chain and handshake may use:
/// ECDSA and RSA as webpki verifies them with ring, each TLS signature
/// scheme with the certificate algorithms it may stand for. Named here
/// rather than taken from ring's default provider, whose suites (ChaCha20
/// among them) would come into the binary with it. Ed25519 is left out
/// (12 KiB of code): no browser accepts it in a server's certificate, and
/// public CAs may not issue one, so a server the admin's browser reaches
/// is one the probe verifies (docs/performance.md, "Size").
static SIGNATURES: rustls::crypto::WebPkiSupportedAlgorithms = {
    use rustls::SignatureScheme as S;
    use webpki::ring as alg;
    rustls::crypto::WebPkiSupportedAlgorithms {
        all: &[
            alg::ECDSA_P256_SHA256,
            alg::ECDSA_P256_SHA384,
            alg::ECDSA_P384_SHA256,
            alg::ECDSA_P384_SHA384,
            alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
            alg::RSA_PKCS1_2048_8192_SHA256,
            alg::RSA_PKCS1_2048_8192_SHA384,
            alg::RSA_PKCS1_2048_8192_SHA512,
            alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        ],
        // In TLS 1.2 an ECDSA scheme does not fix the curve; in 1.3 it does.
        mapping: &[
            (
                S::ECDSA_NISTP384_SHA384,
                &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
            ),
            (
                S::ECDSA_NISTP256_SHA256,
                &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
            ),
            (
                S::RSA_PSS_SHA512,
                &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
            ),
            (
                S::RSA_PSS_SHA384,
                &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
            ),
            (
                S::RSA_PSS_SHA256,
                &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
            ),
            (S::RSA_PKCS1_SHA512, &[alg::RSA_PKCS1_2048_8192_SHA512]),
            (S::RSA_PKCS1_SHA384, &[alg::RSA_PKCS1_2048_8192_SHA384]),
            (S::RSA_PKCS1_SHA256, &[alg::RSA_PKCS1_2048_8192_SHA256]),
        ],
    }
};

#[derive(Debug)]
struct Random;

impl rustls::crypto::SecureRandom for Random {
    fn fill(&self, buf: &mut [u8]) -> Result<(), rustls::crypto::GetRandomFailed> {
        use ring::rand::SecureRandom;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| rustls::crypto::GetRandomFailed)
    }
}

#[derive(Debug)]
struct NoKeys;

impl rustls::crypto::KeyProvider for NoKeys {
    fn load_private_key(
        &self,
        _: rustls::pki_types::PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
        Err(rustls::Error::General(
            "the probe presents no client certificate".into(),
        ))
    }
}

impl HttpClient {
    /// A client; `https`: whether it will be used for HTTPS, so that the CA
    /// store must be read (an image without one gets a clear error).
    pub fn new(options: &HttpOptions, https: bool) -> Result<HttpClient, String> {
        HttpClient::with_proxies(
            options,
            https,
            ProxyEnv::from_env(|name| std::env::var(name).ok()),
        )
    }

    /// A client that takes its proxies from `proxies` (the environment,
    /// for [`HttpClient::new`]).
    pub fn with_proxies(
        options: &HttpOptions,
        https: bool,
        proxies: ProxyEnv,
    ) -> Result<HttpClient, String> {
        let provider = Arc::new(provider());
        let mut tls = TlsConfig::builder().unversioned_rustls_crypto_provider(provider);
        if options.insecure {
            tls = tls.disable_verification(true);
        } else if https {
            let certs = match &options.ca_file {
                Some(file) => read_ca_file(file)?,
                None => system_roots()?,
            };
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(if options.follow_redirects { 5 } else { 0 })
            .max_redirects_will_error(false)
            .timeout_global(options.timeout)
            .timeout_connect(options.timeout)
            .timeout_per_read(options.timeout)
            .timeout_per_write(options.timeout)
            .user_agent(concat!("probe/", env!("CARGO_PKG_VERSION")))
            .accept_encoding("identity")
            .proxy(None)
            .tls_config(tls.build())
            .build();
        Ok(HttpClient {
            agent: config.new_agent(),
            proxies,
        })
    }

    /// Sends the request and reads at most `limit` bytes of the body.
    pub fn request(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
        auth: &Auth,
        limit: usize,
    ) -> Result<Response, HttpError> {
        self.send(method, url, accept, auth, &Extra::default(), limit)
    }

    /// As [`HttpClient::request`], with more headers or a body.
    pub fn send(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
        auth: &Auth,
        extra: &Extra,
        limit: usize,
    ) -> Result<Response, HttpError> {
        let shown = without_userinfo(url);
        let fail = |message: String| HttpError {
            url: shown.clone(),
            message,
        };
        // `user:password@` in the URL is Basic auth, sent as a header.
        let (url, userinfo) = split_userinfo(url);
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| fail("not a URL; write e.g. https://host:8154/go".into()))?;
        let proxy_url = self.proxies.for_uri(&uri);
        let proxy = proxy_url.as_deref().map(without_userinfo).map(|p| {
            p.split_once("://").map_or(p.clone(), |(_, rest)| {
                rest.trim_end_matches('/').to_string()
            })
        });
        let proxy_setting = match &proxy_url {
            Some(p) => Some(ureq::Proxy::new(p).map_err(|e| {
                fail(format!(
                    "the proxy {} is not usable: {e}",
                    without_userinfo(p)
                ))
            })?),
            None => None,
        };
        let auth = match (auth, userinfo) {
            (Auth::None, Some((user, password))) => &Auth::Basic { user, password },
            (auth, _) => auth,
        };
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(accept) = accept {
            headers.push(("Accept", accept.to_string()));
        }
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => headers.push(("Authorization", format!("bearer {token}"))),
            Auth::Basic { user, password } => {
                let encoded = base64(format!("{user}:{password}").as_bytes());
                headers.push(("Authorization", format!("Basic {encoded}")));
            }
        }
        headers.extend(extra.headers.iter().map(|(k, v)| (*k, v.clone())));
        macro_rules! with_headers {
            ($builder:expr) => {{
                let mut builder = $builder.config().proxy(proxy_setting).build();
                for (name, value) in &headers {
                    builder = builder.header(*name, value.as_str());
                }
                builder
            }};
        }
        let sent = match method {
            Method::Get => with_headers!(self.agent.get(&url)).call(),
            Method::Head => with_headers!(self.agent.head(&url)).call(),
            Method::Patch | Method::Post => {
                let builder = match method {
                    Method::Patch => self.agent.patch(&url),
                    _ => self.agent.post(&url),
                };
                let builder = with_headers!(builder);
                match extra.json {
                    Some(body) => builder
                        .header("Content-Type", "application/json")
                        .send(body),
                    None => builder.send_empty(),
                }
            }
        };
        let mut response = sent.map_err(|e| fail(describe(&e, proxy.as_deref())))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
        let mut truncated = false;
        if method != Method::Head {
            (&mut reader)
                .take(limit as u64 + 1)
                .read_to_end(&mut body)
                .map_err(|e| fail(format!("the answer broke off: {e}")))?;
            if body.len() > limit {
                body.truncate(limit);
                truncated = true;
            }
        }
        Ok(Response {
            status,
            headers,
            body,
            truncated,
            proxy,
        })
    }
}

/// The proxy variables, as curl reads them: `https_proxy`/`HTTPS_PROXY`
/// for https URLs, `http_proxy` for http (never `HTTP_PROXY`: a CGI
/// program gets a request's `Proxy:` header as HTTP_PROXY, "httpoxy"),
/// `all_proxy`/`ALL_PROXY` for either when the scheme's own is not set
/// (lower case first); `no_proxy`/`NO_PROXY` names hosts reached directly.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    http: Option<String>,
    https: Option<String>,
    all: Option<String>,
    no_proxy: Vec<String>,
}

impl ProxyEnv {
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| var(n))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        ProxyEnv {
            http: first(&["http_proxy"]),
            https: first(&["https_proxy", "HTTPS_PROXY"]),
            all: first(&["all_proxy", "ALL_PROXY"]),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|list| {
                    list.split(',')
                        .map(|e| e.trim().to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy URL for `uri`, if it goes through one. A proxy written
    /// without a scheme (`proxy:3128`) is an http:// one.
    fn for_uri(&self, uri: &ureq::http::Uri) -> Option<String> {
        let host = uri.host()?;
        if self.bypasses(host) {
            return None;
        }
        let chosen = match uri.scheme_str() {
            Some("https") => self.https.as_ref(),
            _ => self.http.as_ref(),
        }
        .or(self.all.as_ref())?;
        Some(if chosen.contains("://") {
            chosen.clone()
        } else {
            format!("http://{chosen}")
        })
    }

    /// Whether NO_PROXY names `host`: `*`; the host itself; a domain it is
    /// in (`corp.example` and `.corp.example` both cover
    /// `nexus.corp.example`); an IP address, or a network in CIDR form
    /// (`10.0.0.0/8`). A `:port` on an entry is ignored.
    pub fn bypasses(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let ip: Option<IpAddr> = host.parse().ok();
        self.no_proxy.iter().any(|entry| {
            if entry == "*" {
                return true;
            }
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_network(ip, net, bits);
            }
            let entry = strip_port(entry);
            let domain = entry.trim_start_matches('*').trim_start_matches('.');
            !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
        })
    }
}

/// `host:port` -> `host`; `[::1]:80` -> `::1`; a bare IPv6 address stays.
fn strip_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.parse::<u16>().is_ok() => host,
        _ => entry,
    }
}

fn in_network(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The URL without `user:password@`, and the user and password (decoded
/// from %XX escapes).
pub fn split_userinfo(url: &str) -> (String, Option<(String, String)>) {
    let Some(range) = crate::text::userinfo(url) else {
        return (url.to_string(), None);
    };
    let (user, password) = url[range.clone()]
        .split_once(':')
        .unwrap_or((&url[range.clone()], ""));
    let shown = format!("{}{}", &url[..range.start], &url[range.end + 1..]);
    (
        shown,
        Some((percent_decode(user), percent_decode(password))),
    )
}

/// `%XX` escapes decoded (a URL's user and password).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The URL as a message may show it: without `user:password@`, also when
/// it has no scheme (`user:pw@host`).
pub fn without_userinfo(url: &str) -> String {
    split_userinfo(url).0
}

/// The system's CA certificates, read once per run.
fn system_roots() -> Result<Vec<Certificate<'static>>, String> {
    static ROOTS: OnceLock<Result<Vec<Certificate<'static>>, String>> = OnceLock::new();
    ROOTS.get_or_init(read_system_roots).clone()
}

fn read_system_roots() -> Result<Vec<Certificate<'static>>, String> {
    let found = rustls_native_certs::load_native_certs();
    let certs: Vec<Certificate<'static>> = found
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if certs.is_empty() {
        return Err(
            "no CA certificates found on this machine, so no HTTPS server can be trusted \
             (install ca-certificates, or give `ca_file`)"
                .into(),
        );
    }
    Ok(certs)
}

/// Reads a PEM file of CA certificates: Err says why it cannot be used.
pub fn read_ca_file(file: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let pem = std::fs::read(file)
        .map_err(|e| format!("cannot read the CA file {}: {e}", file.display()))?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            file.display()
        ));
    }
    Ok(certs)
}

/// What went wrong, as a person can act on it.
fn describe(e: &ureq::Error, proxy: Option<&str>) -> String {
    let via = proxy
        .map(|p| format!(" (through the proxy {p})"))
        .unwrap_or_default();
    match e {
        // Through a proxy, the probe resolves only the proxy's name.
        ureq::Error::HostNotFound => match proxy {
            Some(p) => format!("the proxy's host name does not resolve (the proxy is {p})"),
            None => "the host name does not resolve".into(),
        },
        ureq::Error::ConnectionFailed => format!("the connection failed{via}"),
        ureq::Error::Timeout(t) => format!("no answer in time ({t}){via}"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("the connection was refused: nothing listens there{via}")
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer in time{via}")
        }
        // rustls reports a bad certificate through the stream's io::Error.
        ureq::Error::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            Some(tls) => tls_problem(tls),
            None => format!("{io}{via}"),
        },
        ureq::Error::ConnectProxyFailed(why) => proxy_refusal(proxy.unwrap_or(""), why),
        ureq::Error::Rustls(tls) => tls_problem(tls),
        ureq::Error::Tls(text) => format!("TLS: {text}"),
        ureq::Error::BadUri(text) => format!("not a valid URL: {text}"),
        ureq::Error::InvalidProxyUrl => {
            "the proxy variable (http_proxy, https_proxy or all_proxy) is not a valid URL".into()
        }
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        other => format!("{other}{via}"),
    }
}

/// The proxy did not open the tunnel: what its status means.
fn proxy_refusal(proxy: &str, why: &str) -> String {
    let status = why
        .strip_prefix("proxy server responded ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok());
    let advice = match status {
        Some(407) => "it wants credentials: put them in the proxy variable \
                      (https_proxy=http://user:password@proxy:3128)"
            .to_string(),
        Some(403) => "it does not allow this host or port (some proxies open tunnels to port \
                      443 only); add the host to NO_PROXY if it is reached directly"
            .to_string(),
        Some(502..=504) => "it could not reach the host (does the name resolve there?)".into(),
        _ => "add the host to NO_PROXY if it is reached directly".into(),
    };
    format!("the proxy {proxy} would not open a connection ({why}): {advice}")
}

fn tls_problem(e: &rustls::Error) -> String {
    use rustls::{CertificateError, Error};
    match e {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not signed by a CA this machine trusts \
             (a corporate CA? give `ca_file`, or install it in the system's CA store)"
                .into()
        }
        Error::InvalidCertificate(CertificateError::Expired) => {
            "the server's certificate has expired".into()
        }
        Error::InvalidCertificate(CertificateError::NotValidForName) => {
            "the server's certificate is for another host name".into()
        }
        other => format!("TLS: {other}"),
    }
}

impl Auth {
    /// `text` with the credentials in it (the token, the password, the
    /// Basic header's encoded form) replaced: for a server's reply that
    /// echoes the request, before it is cut short for a message.
    pub fn hide_in(&self, text: &str) -> String {
        let mut text = text.to_string();
        let mut hide = |secret: &str, mark: &str| {
            if secret.len() >= 4 {
                text = text.replace(secret, mark);
            }
        };
        match self {
            Auth::None => {}
            Auth::Bearer(token) => hide(token, "<hidden: token>"),
            Auth::Basic { user, password } => {
                hide(
                    &base64(format!("{user}:{password}").as_bytes()),
                    "<hidden: login>",
                );
                hide(password, "<hidden: password>");
            }
        }
        text
    }
}

/// Standard base64 (RFC 4648, padded), for Basic auth.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `text` as one segment of a URL's path: every byte but letters, digits,
/// `-`, `_`, `.` and `~` percent-encoded (GoCD's names rarely need it).
pub fn segment(text: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_rfc_4648_says() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("user:pass", "dXNlcjpwYXNz"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn urls_are_shown_without_their_userinfo() {
        assert_eq!(
            without_userinfo("https://u:p@gocd.example.com:8154/go/api?x=@"),
            "https://gocd.example.com:8154/go/api?x=@"
        );
        assert_eq!(without_userinfo("http://h/a@b"), "http://h/a@b");
        assert_eq!(without_userinfo("not a url"), "not a url");
    }

    #[test]
    fn credentials_never_show_in_debug_output() {
        let auth = Auth::Bearer("s3cr3t-token".into());
        assert_eq!(format!("{auth:?}"), "a bearer token");
        let auth = Auth::Basic {
            user: "admin".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{auth:?}").contains("hunter2"));
    }

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_env(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    fn proxy_for(proxies: &ProxyEnv, url: &str) -> Option<String> {
        proxies.for_uri(&url.parse().unwrap())
    }

    #[test]
    fn each_scheme_has_its_own_proxy_and_all_proxy_is_the_fallback() {
        let p = env(&[
            ("http_proxy", "http://web:3128"),
            ("https_proxy", "tls:8080"),
        ]);
        assert_eq!(
            proxy_for(&p, "http://a/").as_deref(),
            Some("http://web:3128")
        );
        assert_eq!(
            proxy_for(&p, "https://a/").as_deref(),
            Some("http://tls:8080")
        );
        let p = env(&[("http_proxy", "http://web:3128")]);
        assert_eq!(
            proxy_for(&p, "https://a/"),
            None,
            "curl does not use http_proxy for https"
        );
        // httpoxy: uppercase HTTP_PROXY may come from a request's `Proxy:`
        // header; curl ignores it, and so does the probe. The other
        // variables are read in either case, lowercase first.
        let p = env(&[("HTTP_PROXY", "http://evil:3128")]);
        assert_eq!(proxy_for(&p, "http://a/"), None);
        let p = env(&[
            ("HTTP_PROXY", "http://evil:3128"),
            ("ALL_PROXY", "http://all:1"),
        ]);
        assert_eq!(proxy_for(&p, "http://a/").as_deref(), Some("http://all:1"));
        let p = env(&[
            ("HTTPS_PROXY", "http://up:1"),
            ("all_proxy", "http://low-all:2"),
            ("NO_PROXY", "direct.example"),
        ]);
        assert_eq!(proxy_for(&p, "https://a/").as_deref(), Some("http://up:1"));
        assert_eq!(
            proxy_for(&p, "http://a/").as_deref(),
            Some("http://low-all:2")
        );
        assert_eq!(proxy_for(&p, "https://direct.example/"), None);
        let p = env(&[
            ("https_proxy", "http://low:1"),
            ("HTTPS_PROXY", "http://up:2"),
            ("no_proxy", "low.example"),
            ("NO_PROXY", "up.example"),
        ]);
        assert_eq!(proxy_for(&p, "https://a/").as_deref(), Some("http://low:1"));
        assert_eq!(proxy_for(&p, "https://low.example/"), None);
        assert!(proxy_for(&p, "https://up.example/").is_some());
        let p = env(&[
            ("ALL_PROXY", "http://all:1"),
            ("http_proxy", "http://low:2"),
            ("HTTP_PROXY", "http://up:3"),
        ]);
        assert_eq!(proxy_for(&p, "http://a/").as_deref(), Some("http://low:2"));
        assert_eq!(proxy_for(&p, "https://a/").as_deref(), Some("http://all:1"));
        assert_eq!(proxy_for(&env(&[]), "https://a/"), None);
    }

    #[test]
    fn no_proxy_matches_hosts_domains_addresses_and_networks() {
        let p = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                " localhost, .corp.example,build.test:8443 ,10.0.0.0/8, ::1,*.dev",
            ),
        ]);
        for direct in [
            "https://localhost/",
            "https://nexus.corp.example/",
            "https://corp.example/",
            "https://build.test/",
            "https://10.20.30.40:8443/",
            "https://[::1]:8154/go",
            "https://x.dev/",
            "https://LOCALHOST/",
        ] {
            assert_eq!(proxy_for(&p, direct), None, "{direct}");
        }
        for proxied in [
            "https://notcorp.example/",
            "https://11.0.0.1/",
            "https://localhost.evil/",
        ] {
            assert!(proxy_for(&p, proxied).is_some(), "{proxied}");
        }
        assert!(env(&[("NO_PROXY", "*")]).bypasses("anything"));
    }

    #[test]
    fn userinfo_is_split_off_and_decoded() {
        let (url, creds) = split_userinfo("https://deploy:p%40ss%3Aword@nexus:8081/x?y=@");
        assert_eq!(url, "https://nexus:8081/x?y=@");
        assert_eq!(creds, Some(("deploy".to_string(), "p@ss:word".to_string())));
        assert_eq!(
            split_userinfo("https://nexus/a@b"),
            ("https://nexus/a@b".to_string(), None)
        );
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn a_proxy_refusal_says_what_its_status_means() {
        let m = proxy_refusal(
            "proxy:3128",
            "proxy server responded 407/Proxy Authentication Required",
        );
        assert!(m.contains("it wants credentials"), "{m}");
        let m = proxy_refusal("proxy:3128", "proxy server responded 403/Forbidden");
        assert!(m.contains("port 443"), "{m}");
        let m = proxy_refusal("proxy:3128", "proxy server responded 502/Bad Gateway");
        assert!(m.contains("could not reach the host"), "{m}");
        let m = proxy_refusal("proxy:3128", "proxy server did not respond");
        assert!(
            m.ends_with("add the host to NO_PROXY if it is reached directly"),
            "{m}"
        );
    }
}
