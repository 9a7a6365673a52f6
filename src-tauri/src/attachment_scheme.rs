//! `insisst-attachment://localhost/<sha256>`: the attachment files of the open workspace,
//! served to the window (the only image source a rendered body has; the CSP's `img-src`
//! allows `'self'` and this scheme).
//!
//! Rules, each a refusal with 404 (and no body) when it fails:
//! - only `GET`, only the host `localhost`, only a path of exactly one segment that is 64 hex
//!   digits, no query; nothing from the URL is joined to a path before that check
//!   (`insisst_core::store::attachment_file`), so no `..`, no separators, no other names;
//! - only a regular file that exists in the workspace's `attachments/` folder (a symlink
//!   there is not followed);
//! - the `Content-Type` comes from the file's first bytes
//!   (`insisst_core::markdown::attachment_content_type`): PNG, JPEG, GIF, WebP, BMP and AVIF
//!   as images, everything else as `application/octet-stream`. SVG is never served as
//!   `image/svg+xml` (nor HTML as `text/html`): those are documents that run script and load
//!   other URLs, and one opened as a document (a link, a new window) would run inside the
//!   app's webview with the attachment scheme's origin; as octet-stream it shows nothing and
//!   runs nothing. `X-Content-Type-Options: nosniff` stops the webview from guessing
//!   otherwise, and a `sandbox` CSP on every response stops script even then.

use std::path::PathBuf;
use tauri::http::{header, Method, Request, Response, StatusCode};

/// Answers one request for an attachment of the workspace at `root`.
pub fn respond(root: &std::path::Path, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    match file_for(root, request).and_then(|path| std::fs::read(path).ok()) {
        Some(bytes) => {
            let head = &bytes[..bytes.len().min(16)];
            let content_type = insisst_core::markdown::attachment_content_type(head);
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox",
                )
                .header(
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                )
                .body(bytes)
                .unwrap_or_else(|_| not_found())
        }
        None => not_found(),
    }
}

/// The file a request names, if it passes every rule above.
fn file_for(root: &std::path::Path, request: &Request<Vec<u8>>) -> Option<PathBuf> {
    if request.method() != Method::GET {
        return None;
    }
    let uri = request.uri();
    // WebKitGTK passes `insisst-attachment://localhost/<sha>`; Windows' WebView2 would pass
    // `http://insisst-attachment.localhost/<sha>`.
    let host_ok = matches!(
        uri.host(),
        Some("localhost") | Some("insisst-attachment.localhost")
    );
    if !host_ok || uri.query().is_some() {
        return None;
    }
    let name = uri.path().strip_prefix('/')?;
    insisst_core::store::attachment_file(root, name)
}

fn not_found() -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA_PNG: &str = "0000000000000000000000000000000000000000000000000000000000000001";
    const SHA_SVG: &str = "00000000000000000000000000000000000000000000000000000000000000ab";

    fn get(uri: &str) -> Request<Vec<u8>> {
        Request::builder().uri(uri).body(Vec::new()).unwrap()
    }

    fn content_type(r: &Response<Vec<u8>>) -> &str {
        r.headers()[header::CONTENT_TYPE].to_str().unwrap()
    }

    #[test]
    fn serves_only_existing_hash_named_files_and_never_svg_as_svg() {
        let dir = tempfile::tempdir().unwrap();
        let att = dir.path().join("attachments");
        std::fs::create_dir_all(&att).unwrap();
        std::fs::write(att.join(SHA_PNG), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        std::fs::write(
            att.join(SHA_SVG),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        )
        .unwrap();
        std::fs::write(dir.path().join("workspace.sqlite3"), b"secret").unwrap();

        let ok = respond(
            dir.path(),
            &get(&format!("insisst-attachment://localhost/{SHA_PNG}")),
        );
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(content_type(&ok), "image/png");
        assert_eq!(ok.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

        let svg = respond(
            dir.path(),
            &get(&format!("insisst-attachment://localhost/{SHA_SVG}")),
        );
        assert_eq!(svg.status(), StatusCode::OK);
        assert_eq!(content_type(&svg), "application/octet-stream");

        for bad in [
            "insisst-attachment://localhost/".to_string(),
            "insisst-attachment://localhost/workspace.sqlite3".to_string(),
            "insisst-attachment://localhost/../workspace.sqlite3".to_string(),
            "insisst-attachment://localhost/%2e%2e%2fworkspace.sqlite3".to_string(),
            format!("insisst-attachment://localhost/attachments/{SHA_PNG}"),
            format!("insisst-attachment://localhost/{SHA_PNG}/x"),
            format!("insisst-attachment://localhost/{SHA_PNG}?x=1"),
            format!("insisst-attachment://evil.example/{SHA_PNG}"),
            format!("insisst-attachment://localhost/{}", "2".repeat(64)),
        ] {
            let r = respond(dir.path(), &get(&bad));
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
            assert!(r.body().is_empty(), "{bad}");
        }
        let post = Request::builder()
            .method(Method::POST)
            .uri(format!("insisst-attachment://localhost/{SHA_PNG}"))
            .body(Vec::new())
            .unwrap();
        assert_eq!(respond(dir.path(), &post).status(), StatusCode::NOT_FOUND);
    }
}
