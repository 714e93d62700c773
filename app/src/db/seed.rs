//! The data generator: an account's worth of realistic contacts with rows in every
//! area of the cascade, a share of duplicates (same email or phone, written
//! differently) and a share inactive for over a year. Rows are generated in memory a
//! batch at a time and written with multi-row INSERTs, one transaction per batch.

use std::time::{Duration, Instant};

use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use fake::Fake;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use super::cascade::{self, Area};
use super::contacts::NewContact;
use super::{accounts, now, Arg, Db, Sql};
use crate::error::AppError;

const DAY: i64 = crate::dates::SECONDS_PER_DAY;
/// Contacts generated and written per transaction.
const BATCH: usize = 2_000;
/// Share of contacts that copy an earlier contact's email or phone.
const DUPLICATE_SHARE: f64 = 0.06;
/// Share of contacts whose last activity is over a year old.
const INACTIVE_SHARE: f64 = 0.22;
/// Share of contacts that never had any activity.
const NEVER_ACTIVE_SHARE: f64 = 0.05;

const TAGS: &[&str] = &["lead", "customer", "vip", "newsletter", "partner", "cold", "webinar", "trial"];
const SOURCES: &[&str] = &["Website form", "Facebook ad", "Google ads", "Referral", "CSV import", "Walk-in", "Webinar"];
const DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "example.org"];
const CAMPAIGNS: &[&str] =
    &["Welcome series", "Spring promo", "Re-engagement", "Webinar follow-up", "Black Friday", "Monthly newsletter"];
const STAGES: &[(&str, &str)] = &[
    ("New lead", "open"),
    ("Contacted", "open"),
    ("Proposal sent", "open"),
    ("Negotiation", "open"),
    ("Closed won", "won"),
    ("Closed lost", "lost"),
];
const NOTES: &[&str] = &[
    "Called, left a voicemail.",
    "Asked for pricing on the annual plan.",
    "Prefers SMS over email.",
    "Met at the trade show; interested in a demo.",
    "Renewal coming up next quarter.",
    "Not the decision maker; CFO signs off.",
    "Requested a callback after 3pm.",
    "Sent the brochure.",
];
const TASKS: &[&str] =
    &["Follow up call", "Send proposal", "Check in after demo", "Confirm appointment", "Send invoice"];
const APPOINTMENTS: &[&str] = &["Discovery call", "Product demo", "Onboarding session", "Quarterly review"];
const MESSAGES: &[&str] = &[
    "Hi! Thanks for reaching out.",
    "Can we move our call to Thursday?",
    "Here is the quote you asked for.",
    "Sounds good, talk soon.",
    "Is this still available?",
    "Please remove me from the list.",
    "Got it, thanks!",
];

#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub account_name: String,
    pub contacts: usize,
    /// The random seed: the same seed gives the same data.
    pub seed: u64,
}

#[derive(Clone, Debug)]
pub struct SeedReport {
    pub account_id: i64,
    pub contacts: usize,
    /// Rows written per area of the cascade.
    pub rows: Vec<(Area, i64)>,
    pub elapsed: Duration,
}

/// Rows of one table waiting to be written.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Arg>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows { table, columns, rows: Vec::new() }
    }

    /// Multi-row INSERTs, each within the engine's bind-parameter limit.
    fn statements(&self, db: &Db) -> Vec<Sql> {
        let per_statement = (db.dialect().max_params() / self.columns.len()).max(1);
        self.rows
            .chunks(per_statement)
            .map(|chunk| {
                let mut sql = db.sql("INSERT INTO ");
                sql.push(self.table).push(" (").push(&self.columns.join(", ")).push(") VALUES ");
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind_tuple(row.iter().cloned());
                }
                sql
            })
            .collect()
    }
}

/// One batch of generated rows, a [`Rows`] per table, contacts first.
struct Batch {
    contacts: Rows,
    conversations: Rows,
    messages: Rows,
    notes: Rows,
    opportunities: Rows,
    tasks: Rows,
    appointments: Rows,
    manual_actions: Rows,
    campaign_enrollments: Rows,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            contacts: Rows::new("contacts", NewContact::COLUMNS_WITH_ID),
            conversations: Rows::new("conversations", &["id", "contact_id", "channel", "last_message_at"]),
            messages: Rows::new("messages", &["conversation_id", "direction", "body", "sent_at"]),
            notes: Rows::new("notes", &["contact_id", "body", "created_at"]),
            opportunities: Rows::new(
                "opportunities",
                &["contact_id", "name", "pipeline_stage", "value_cents", "status", "created_at"],
            ),
            tasks: Rows::new("tasks", &["contact_id", "title", "due_at", "done"]),
            appointments: Rows::new("appointments", &["contact_id", "title", "starts_at", "ends_at"]),
            manual_actions: Rows::new("manual_actions", &["contact_id", "kind", "status", "due_at"]),
            campaign_enrollments: Rows::new(
                "campaign_enrollments",
                &["campaign_id", "contact_id", "status", "enrolled_at"],
            ),
        }
    }

    /// Parents before children, so that every foreign key finds its row.
    fn tables(&self) -> [&Rows; 9] {
        [
            &self.contacts,
            &self.conversations,
            &self.messages,
            &self.notes,
            &self.opportunities,
            &self.tasks,
            &self.appointments,
            &self.manual_actions,
            &self.campaign_enrollments,
        ]
    }
}

/// First name, last name, email, phone of a generated person.
type Person = (String, String, Option<String>, Option<String>);

/// Creates an account named `options.account_name` and generates its contacts.
pub async fn seed_account(db: &Db, options: &SeedOptions) -> Result<SeedReport, AppError> {
    let account_id = accounts::create(db, &options.account_name).await?;
    seed_contacts(db, account_id, options).await
}

/// Generates `options.contacts` contacts, with their related rows, into an existing
/// account. Ids are assigned here (the generator must be the only writer of contacts
/// while it runs), then the engine's id sequences are moved past them.
pub async fn seed_contacts(db: &Db, account_id: i64, options: &SeedOptions) -> Result<SeedReport, AppError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let campaigns = campaigns_of(db, account_id).await?;
    let mut next_contact = next_id(db, "contacts").await?;
    let mut next_conversation = next_id(db, "conversations").await?;
    let now = now();
    // Earlier people that later contacts may duplicate.
    let mut earlier: Vec<Person> = Vec::new();

    let mut written = 0;
    while written < options.contacts {
        let size = BATCH.min(options.contacts - written);
        let mut batch = Batch::new();
        for _ in 0..size {
            let contact = generate_contact(&mut rng, now, &mut earlier);
            batch.contacts.rows.push([vec![Arg::Int(next_contact)], contact.values(account_id)].concat());
            generate_children(&mut rng, &mut batch, next_contact, &contact, &campaigns, &mut next_conversation);
            next_contact += 1;
        }
        let statements: Vec<Sql> = batch.tables().iter().flat_map(|rows| rows.statements(db)).collect();
        db.execute_in_transaction(&statements).await?;
        written += size;
    }
    for table in ["contacts", "conversations"] {
        if let Some(text) = db.dialect().resync_id_statement(table) {
            db.execute(&db.sql(&text)).await?;
        }
    }
    db.refresh_statistics().await?;
    let rows = cascade::count_for_account(db, account_id).await?;
    Ok(SeedReport { account_id, contacts: options.contacts, rows, elapsed: started.elapsed() })
}

/// The first id past every id `table` ever handed out, so that no id of a deleted row
/// comes back (a selection's watermark relies on it).
async fn next_id(db: &Db, table: &str) -> Result<i64, AppError> {
    let high_water = db.fetch_i64(&db.sql(&db.dialect().id_high_water_statement(table))).await?;
    let max = db.fetch_i64(&db.sql(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))).await?;
    Ok(high_water.max(max) + 1)
}

/// The account's campaigns, created first if it has none.
async fn campaigns_of(db: &Db, account_id: i64) -> Result<Vec<i64>, AppError> {
    let mut existing = db.sql("SELECT id FROM campaigns WHERE account_id = ");
    existing.bind(account_id).push(" ORDER BY id");
    let found: Vec<(i64,)> = db.fetch_all(&existing).await?;
    if !found.is_empty() {
        return Ok(found.into_iter().map(|(id,)| id).collect());
    }
    let mut ids = Vec::new();
    for (i, name) in CAMPAIGNS.iter().enumerate() {
        let mut sql = db.sql("INSERT INTO campaigns (account_id, name, status, created_at) VALUES ");
        let status = if i % 3 == 2 { "completed" } else { "active" };
        sql.bind_tuple([Arg::from(account_id), (*name).into(), status.into(), now().into()]).push(" RETURNING id");
        ids.push(db.fetch_i64(&sql).await?);
    }
    Ok(ids)
}

fn generate_contact(rng: &mut StdRng, now: i64, earlier: &mut Vec<Person>) -> NewContact {
    let mut first: String = FirstName().fake_with_rng(rng);
    let mut last: String = LastName().fake_with_rng(rng);
    let mut email = rng.random_bool(0.9).then(|| {
        let domain = DOMAINS.choose(rng).expect("domains");
        let n: u16 = rng.random_range(1..999);
        format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase().replace(' ', ""), n, domain)
    });
    let mut phone = rng.random_bool(0.85).then(|| {
        format!("({}) {:03}-{:04}", rng.random_range(201..990), rng.random_range(200..999), rng.random_range(0..10_000))
    });
    if !earlier.is_empty() && rng.random_bool(DUPLICATE_SHARE) {
        // The same person entered again: the email in other case and with stray
        // spaces, or the phone in another format.
        let (f, l, e, p) = earlier.choose(rng).cloned().expect("earlier");
        (first, last) = (f, l);
        if let (Some(e), true) = (e, rng.random_bool(0.5)) {
            email = Some(format!(" {} ", e.to_uppercase()));
        } else if let Some(p) = p {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            phone = Some(format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]));
        }
    } else {
        if earlier.len() >= 500 {
            let slot = rng.random_range(0..earlier.len());
            earlier[slot] = (first.clone(), last.clone(), email.clone(), phone.clone());
        } else {
            earlier.push((first.clone(), last.clone(), email.clone(), phone.clone()));
        }
    }

    let roll: f64 = rng.random();
    let (created_at, last_activity_at) = if roll < NEVER_ACTIVE_SHARE {
        (now - rng.random_range(1..1_800) * DAY, None)
    } else if roll < NEVER_ACTIVE_SHARE + INACTIVE_SHARE {
        // Quiet for over a year: created 400 days to 5 years ago, last seen 366+ days ago.
        let created = now - rng.random_range(400..1_800) * DAY;
        let last_seen = now - rng.random_range(366..(now - created) / DAY) * DAY;
        (created, Some(last_seen))
    } else {
        let created = now - rng.random_range(1..1_800) * DAY - rng.random_range(0..DAY);
        let last_seen = (now - rng.random_range(0..330) * DAY - rng.random_range(0..DAY)).max(created);
        (created, Some(last_seen))
    };
    let tag_count = rng.random_range(0..=3);
    let mut tags: Vec<String> = TAGS.choose_multiple(rng, tag_count).map(|t| t.to_string()).collect();
    tags.sort();
    NewContact {
        first_name: first,
        last_name: last,
        email,
        phone,
        company: rng.random_bool(0.7).then(|| CompanyName().fake_with_rng(rng)),
        tags,
        source: SOURCES.choose(rng).map(|s| s.to_string()),
        created_at,
        updated_at: last_activity_at.unwrap_or(created_at),
        last_activity_at,
    }
}

fn generate_children(
    rng: &mut StdRng,
    batch: &mut Batch,
    contact_id: i64,
    contact: &NewContact,
    campaigns: &[i64],
    next_conversation: &mut i64,
) {
    let created = contact.created_at;
    let last_seen = contact.last_activity_at.unwrap_or(created);
    // A time between the contact's creation and its last activity.
    let when = |rng: &mut StdRng| if last_seen > created { rng.random_range(created..=last_seen) } else { created };

    if contact.last_activity_at.is_some() {
        for _ in 0..rng.random_range(0..=3) {
            let id = *next_conversation;
            *next_conversation += 1;
            let channel = ["sms", "email", "call"].choose(rng).expect("channels");
            let messages = rng.random_range(1..=6);
            let end = when(rng);
            batch.conversations.rows.push(vec![id.into(), contact_id.into(), (*channel).into(), end.into()]);
            for m in 0..messages {
                let direction = if m % 2 == 0 { "inbound" } else { "outbound" };
                let body = MESSAGES.choose(rng).expect("messages");
                let sent = end - (messages - 1 - m) * rng.random_range(60..DAY);
                batch.messages.rows.push(vec![id.into(), direction.into(), (*body).into(), sent.into()]);
            }
        }
    }
    for _ in 0..rng.random_range(0..=3) {
        let body = NOTES.choose(rng).expect("notes");
        let at = when(rng);
        batch.notes.rows.push(vec![contact_id.into(), (*body).into(), at.into()]);
    }
    if rng.random_bool(0.35) {
        let (stage, status) = STAGES.choose(rng).expect("stages");
        let name = format!("{} deal", contact.company.clone().unwrap_or_else(|| contact.last_name.clone()));
        let value: i64 = rng.random_range(500..50_000) * 100;
        let at = when(rng);
        batch.opportunities.rows.push(vec![
            contact_id.into(),
            name.into(),
            (*stage).into(),
            value.into(),
            (*status).into(),
            at.into(),
        ]);
    }
    for _ in 0..rng.random_range(0..=2) {
        let title = TASKS.choose(rng).expect("tasks");
        let due = last_seen + rng.random_range(-30..30) * DAY;
        let done = due < now() && rng.random_bool(0.7);
        batch.tasks.rows.push(vec![contact_id.into(), (*title).into(), due.into(), done.into()]);
    }
    if rng.random_bool(0.4) {
        let title = APPOINTMENTS.choose(rng).expect("appointments");
        let starts = last_seen + rng.random_range(-20..40) * DAY;
        let ends = starts + [30, 45, 60].choose(rng).expect("lengths") * 60;
        batch.appointments.rows.push(vec![contact_id.into(), (*title).into(), starts.into(), ends.into()]);
    }
    if rng.random_bool(0.25) {
        let kind = ["call", "sms"].choose(rng).expect("kinds");
        let due = last_seen + rng.random_range(0..14) * DAY;
        batch.manual_actions.rows.push(vec![contact_id.into(), (*kind).into(), "pending".into(), due.into()]);
    }
    let mut chosen = campaigns.to_vec();
    chosen.shuffle(rng);
    for campaign in chosen.into_iter().take(rng.random_range(0..=2)) {
        let status = ["active", "completed", "paused", "unsubscribed"].choose(rng).expect("statuses");
        let at = when(rng);
        batch.campaign_enrollments.rows.push(vec![campaign.into(), contact_id.into(), (*status).into(), at.into()]);
    }
}
