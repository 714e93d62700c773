//! The command line: which database, and what to do with it.

use std::time::Duration;

use app::auth::{password, SessionSettings};
use app::db::seed::{seed_account, SeedOptions, SeedReport};
use app::db::{accounts, users, Db, DEFAULT_DATABASE_URL};
use app::error::AppError;
use app::jobs::JobSettings;
use app::team::Role;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "server", about = "CRM contact clean-up: the web app and its tools")]
pub struct Cli {
    /// `sqlite:<file>` or `postgres://…`
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default). With --demo, creates the demo accounts and users
    /// (with published passwords) if missing.
    Serve(ServeArgs),
    /// Add a user to an account (created if there is none of that name).
    AddUser {
        #[arg(long)]
        account: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::User)]
        role: RoleArg,
        /// The password (at least 8 characters); read from this variable.
        #[arg(long, env = "NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Measure the bulk delete against hand-written SQL on two identical generated accounts.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Contacts per transaction of the product's delete (default: the engine's).
        #[arg(long)]
        chunk: Option<usize>,
    },
    /// Time the list, count, filters (duplicates, inactive) and the export on one large
    /// generated account ("Bench: queries", generated once and reused).
    BenchQueries {
        #[arg(long, default_value_t = 1_000_000)]
        contacts: usize,
        /// Only the many users at once.
        #[arg(long)]
        load_only: bool,
    },
    /// Print, as JSON, each account's contacts, campaigns and related rows per area.
    Stats,
    /// Restore the demo: contacts generated anew, history emptied, demo passwords reset.
    ResetDemo {
        #[arg(long, default_value_t = 500)]
        contacts: usize,
    },
    /// Generate a new account of realistic contacts with rows in every related area.
    Seed {
        #[arg(long, default_value_t = 1_000)]
        contacts: usize,
        #[arg(long, default_value = "Generated account")]
        account: String,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Parser, Debug)]
pub struct ServeArgs {
    /// Create the demo accounts and users if missing: for trying the app, never for
    /// real data (their passwords are in the README).
    #[arg(long, env = "CRM_DEMO")]
    pub demo: bool,
    /// Contacts of the demo account when it is created.
    #[arg(long, default_value_t = 500)]
    pub demo_contacts: usize,
    /// Mark the session cookie Secure: set this when users reach the app over https
    /// (for example through a TLS-terminating proxy).
    #[arg(long, env = "SECURE_COOKIE")]
    pub secure_cookie: bool,
    /// Sign a session out after this many minutes without a request.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: u64,
    /// Contacts per transaction of a bulk delete (default: 5,000 on SQLite, 1,000 on
    /// PostgreSQL). Smaller means more, shorter transactions and finer progress.
    #[arg(long, env = "BULK_DELETE_CHUNK")]
    pub delete_chunk: Option<usize>,
    /// Seconds a server holds a running job without renewing its lease: when a server
    /// dies, another one (or this one, restarted) takes its jobs over after at most
    /// this long plus a third of it.
    #[arg(long, env = "JOB_LEASE_SECONDS", default_value_t = 15)]
    pub job_lease_seconds: u64,
    /// The app's origin as users reach it ("https://crm.example.com"), when a proxy in
    /// front of the server changes the Host header it sees. State-changing requests must
    /// come from this origin (by default: the Host they were sent to).
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Admin,
    User,
}

pub async fn run(cli: Cli) -> Result<(), AppError> {
    let db = Db::connect(&cli.database_url).await?;
    db.migrate().await?;
    // Without a command: serve, with the options' defaults and environment variables.
    match cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["serve"]))) {
        Command::Serve(args) => {
            if args.demo {
                crate::demo::ensure(&db, args.demo_contacts).await?;
            } else if users::count(&db).await? == 0 {
                println!("There are no users yet: only the sign-in page is served. Add the first admin with");
                println!("  NEW_USER_PASSWORD='…' server add-user --account \"Your Company\" --email you@example.com --name \"Your Name\" --role admin");
                println!("(or start with --demo to try the app on generated data).");
            }
            let sessions = SessionSettings {
                secure_cookie: args.secure_cookie,
                idle: Duration::from_secs(args.session_idle_minutes.max(1) * 60),
            };
            let lease = Duration::from_secs(args.job_lease_seconds.max(1));
            let jobs = JobSettings { lease, tick: lease / 3, chunk: args.delete_chunk, ..JobSettings::default() };
            let public_origin = app::auth::origin::PublicOrigin(args.public_url);
            crate::serve::serve(db, crate::serve::Settings { sessions, jobs, public_origin }).await
        }
        Command::AddUser { account, email, name, role, password: secret } => {
            let account_id = match accounts::by_name(&db, &account).await? {
                Some(id) => id,
                None => accounts::create(&db, &account).await?,
            };
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::User => Role::User,
            };
            let id = users::create(&db, account_id, &email, &name, role, &password::hash(&secret)?).await?;
            println!("User {id} ({}) added to “{account}” as {}.", users::normalize_email(&email), role.label());
            db.close().await;
            Ok(())
        }
        Command::Bench { contacts, chunk } => {
            crate::bench::run(&db, &cli.database_url, contacts, chunk).await?;
            db.close().await;
            Ok(())
        }
        Command::BenchQueries { contacts, load_only } => {
            crate::bench_queries::run(&db, contacts, load_only).await?;
            db.close().await;
            Ok(())
        }
        Command::Stats => {
            println!("{}", app::db::accounts::stats(&db).await?);
            db.close().await;
            Ok(())
        }
        Command::ResetDemo { contacts } => {
            crate::demo::reset(&db, contacts).await?;
            db.close().await;
            Ok(())
        }
        Command::Seed { contacts, account, seed } => {
            let report = seed_account(&db, &SeedOptions { account_name: account, contacts, seed }).await?;
            print_report(&report);
            db.close().await;
            Ok(())
        }
    }
}

pub fn print_report(report: &SeedReport) {
    let secs = report.elapsed.as_secs_f64();
    println!(
        "Account {}: {} contacts in {:.2} s ({:.0} contacts/s)",
        report.account_id,
        report.contacts,
        secs,
        report.contacts as f64 / secs.max(1e-9)
    );
    for (area, rows) in &report.rows {
        println!("  {:<22} {rows}", area.label);
    }
}
