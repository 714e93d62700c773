//! POST /export: the download of a selection as CSV, written batch by batch as it is
//! read (constant memory whatever the number of contacts), and recorded in the history.

use app::auth::Auth;
use app::bulk_action::Status;
use app::db::{export, now, Db};
use app::error::AppError;
use app::jobs::Runner;
use app::model::Selection;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Form};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub const PATH: &str = "/export";

#[derive(Deserialize)]
pub struct ExportForm {
    /// The selection, as JSON (the same value a delete sends).
    selection: String,
}

pub async fn download(Extension(runner): Extension<Runner>, auth: Auth, Form(form): Form<ExportForm>) -> Response {
    match respond(runner.db().clone(), runner, auth, form).await {
        Ok(response) => response,
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
        }
    }
}

async fn respond(db: Db, runner: Runner, auth: Auth, form: ExportForm) -> Result<Response, AppError> {
    let user = auth.user.ok_or_else(AppError::signed_out)?;
    let selection: Selection = serde_json::from_str(&form.selection)
        .map_err(|e| AppError::bad_request(format!("The export request is malformed: {e}")))?;
    let worker = runner.worker().to_string();
    let (record, _) =
        export::start(&db, user.account_id, Some(user.id), &selection, &worker, runner.settings().lease).await?;
    let name = export::file_name(&user.account_name, now());
    let job = Job {
        db,
        worker,
        account_id: user.account_id,
        selection,
        record,
        after: 0,
        written: 0,
        header: true,
        finished: false,
    };
    // Fused: the compression layer may ask again after the end.
    let body = Body::from_stream(futures::StreamExt::fuse(futures::stream::unfold(job, Job::next)));
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
        .map_err(AppError::internal)
}

/// An export in progress: where it is in the selection and how much it wrote.
struct Job {
    db: Db,
    /// The runner whose lease on the record says the download is alive.
    worker: String,
    account_id: i64,
    selection: Selection,
    record: i64,
    after: i64,
    written: i64,
    header: bool,
    finished: bool,
}

impl Job {
    /// The next chunk of CSV; records the outcome after the last.
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Job)> {
        if self.finished {
            return None;
        }
        let rows = match export::batch(&self.db, self.account_id, &self.selection, self.after).await {
            Ok(rows) => rows,
            Err(e) => return Some((Err(self.end(Status::Failed, e).await), self)),
        };
        if rows.is_empty() && !self.header {
            let _ = export::finish(&self.db, self.record, &self.worker, Status::Done, self.written).await;
            self.finished = true;
            return None;
        }
        let chunk = match export::csv(&rows, self.header) {
            Ok(chunk) => chunk,
            Err(e) => return Some((Err(self.end(Status::Failed, e).await), self)),
        };
        self.header = false;
        self.written += rows.len() as i64;
        self.after = rows.last().map_or(self.after, |r| r.id);
        Some((Ok(Bytes::from(chunk)), self))
    }

    async fn end(&mut self, status: Status, cause: AppError) -> std::io::Error {
        self.finished = true;
        let _ = export::finish(&self.db, self.record, &self.worker, status, self.written).await;
        std::io::Error::other(cause.to_string())
    }
}

impl Drop for Job {
    /// The download was abandoned part-way (the browser went away): say so.
    fn drop(&mut self) {
        if !self.finished {
            let (db, worker, record, written) = (self.db.clone(), self.worker.clone(), self.record, self.written);
            tokio::spawn(async move {
                let _ = export::finish(&db, record, &worker, Status::Cancelled, written).await;
            });
        }
    }
}
