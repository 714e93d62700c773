//! The command line: which database, and what to do with it.

use app::db::seed::{seed_account, SeedOptions, SeedReport};
use app::db::{Db, DEFAULT_DATABASE_URL};
use app::error::AppError;
use clap::{Parser, Subcommand};

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
    /// Serve the web app (the default). An empty database first gets a demo account.
    Serve {
        /// Contacts of the demo account created in an empty database.
        #[arg(long, default_value_t = 500)]
        demo_contacts: usize,
        /// Do not create the demo account.
        #[arg(long)]
        no_demo: bool,
    },
    /// Measure the bulk delete against hand-written SQL on two identical generated accounts.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Contacts per transaction of the product's delete (default: the engine's).
        #[arg(long)]
        chunk: Option<usize>,
    },
    /// Print, as JSON, each account's contacts, campaigns and related rows per area.
    Stats,
    /// Restore the demo account: delete its contacts and generate them anew.
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

pub async fn run(cli: Cli) -> Result<(), AppError> {
    let db = Db::connect(&cli.database_url).await?;
    db.migrate().await?;
    match cli.command.unwrap_or(Command::Serve { demo_contacts: 500, no_demo: false }) {
        Command::Serve { demo_contacts, no_demo } => {
            if !no_demo {
                crate::serve::ensure_demo(&db, demo_contacts).await?;
            }
            crate::serve::serve(db).await
        }
        Command::Bench { contacts, chunk } => {
            crate::bench::run(&db, contacts, chunk).await?;
            db.close().await;
            Ok(())
        }
        Command::Stats => {
            println!("{}", app::db::accounts::stats(&db).await?);
            db.close().await;
            Ok(())
        }
        Command::ResetDemo { contacts } => {
            crate::serve::reset_demo(&db, contacts).await?;
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
