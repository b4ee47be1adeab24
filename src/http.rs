//! The project's one HTTP client (ureq, rustls on ring): `probe fleet`
//! talking to GoCD, and the `http` check. TLS is verified against the
//! system's CA store (or a given CA file); HTTP_PROXY, HTTPS_PROXY and
//! NO_PROXY are honoured and the proxy used is reported; request headers
//! (Authorization) are never put in a message.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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

// HEAD, the headers and the proxy used are for the `http` check (the next
// check kinds); `probe fleet` uses GET and the body.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// An answer, whatever its status.
#[allow(dead_code)]
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

#[allow(dead_code)]
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
    proxy: Option<ureq::Proxy>,
}

impl HttpClient {
    /// A client; `https`: whether it will be used for HTTPS, so that the CA
    /// store must be read (an image without one gets a clear error).
    pub fn new(options: &HttpOptions, https: bool) -> Result<HttpClient, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
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
        let proxy = ureq::Proxy::try_from_env();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(if options.follow_redirects { 5 } else { 0 })
            .max_redirects_will_error(false)
            .timeout_connect(options.timeout)
            .timeout_per_read(options.timeout)
            .timeout_per_write(options.timeout)
            .user_agent(concat!("probe/", env!("CARGO_PKG_VERSION")))
            .accept_encoding("identity")
            .proxy(proxy.clone())
            .tls_config(tls.build())
            .build();
        Ok(HttpClient {
            agent: config.new_agent(),
            proxy,
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
        let shown = without_userinfo(url);
        let fail = |message: String| HttpError {
            url: shown.clone(),
            message,
        };
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| fail("not a URL; write e.g. https://host:8154/go".into()))?;
        let proxy = self
            .proxy
            .as_ref()
            .filter(|p| !p.is_no_proxy(&uri))
            .map(|p| format!("{}:{}", p.host(), p.port()));
        let mut request = match method {
            Method::Get => self.agent.get(url),
            Method::Head => self.agent.head(url),
        };
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => {
                request = request.header("Authorization", format!("bearer {token}"))
            }
            Auth::Basic { user, password } => {
                let encoded = base64(format!("{user}:{password}").as_bytes());
                request = request.header("Authorization", format!("Basic {encoded}"));
            }
        }
        let mut response = request
            .call()
            .map_err(|e| fail(describe(&e, proxy.as_deref())))?;
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
        if method == Method::Get {
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

/// The URL as a message may show it: without `user:password@`.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn system_roots() -> Result<Vec<Certificate<'static>>, String> {
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

fn read_ca_file(file: &Path) -> Result<Vec<Certificate<'static>>, String> {
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
        ureq::Error::HostNotFound => format!("the host name does not resolve{via}"),
        ureq::Error::ConnectionFailed => format!("the connection failed{via}"),
        ureq::Error::Timeout(t) => format!("no answer in time ({t}){via}"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("the connection was refused: nothing listens there{via}")
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer in time{via}")
        }
        ureq::Error::Io(io) => format!("{io}{via}"),
        ureq::Error::Rustls(tls) => tls_problem(tls),
        ureq::Error::Tls(text) => format!("TLS: {text}"),
        ureq::Error::BadUri(text) => format!("not a valid URL: {text}"),
        ureq::Error::InvalidProxyUrl => "HTTP_PROXY or HTTPS_PROXY is not a valid URL".into(),
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        other => format!("{other}{via}"),
    }
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

/// Standard base64, for Basic auth.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
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
}
