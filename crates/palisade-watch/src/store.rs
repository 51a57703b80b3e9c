//! The state database (SQLite, one file, default `.palisade/watch.db`).
//!
//! It holds everything a detection run must remember to be continued later,
//! and lets a caller commit a unit of work atomically:
//!
//! * `history`, `subjects`: what each principal was seen from ([`State::observe`]);
//! * `bursts`: the sliding windows of the burst detections ([`State::burst_event`]);
//! * `alerts`: every alert raised so far, by its stable key ([`Alert::key`]), so an
//!   alert raised again (the same records read again) is not sent again;
//! * `outbox`: alerts waiting to be delivered to each webhook, with attempts and
//!   the time of the next one;
//! * `blocklist`: client addresses to block, with an expiry;
//! * `files`: how far each followed file was read (identity, size, records done);
//! * `meta`: the schema version and the committed length of output files.
//!
//! `palisade watch` processes a batch of records, records the file position,
//! inserts the new alerts and queues them in the outbox inside one transaction
//! ([`Store::begin`] / [`Store::commit`]): after a crash, the run resumes from
//! the last commit with the state as of that commit, so nothing is lost or
//! raised twice.
//!
//! The [`State`] methods cannot return errors; the first database error is kept
//! and makes the next [`Store::commit`] fail (and roll back).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::config::Burst;
use crate::error::Error;
use crate::report::Alert;
use crate::state::{BurstHit, BurstWindow, Seen, State};

const SCHEMA_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history(
    namespace TEXT NOT NULL,
    subject TEXT NOT NULL,
    value TEXT NOT NULL,
    first_seen INTEGER,
    last_seen INTEGER,
    count INTEGER NOT NULL,
    PRIMARY KEY(namespace, subject, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subjects(
    namespace TEXT NOT NULL,
    subject TEXT NOT NULL,
    observations INTEGER NOT NULL,
    nvalues INTEGER NOT NULL,
    PRIMARY KEY(namespace, subject)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bursts(
    rule TEXT NOT NULL,
    key TEXT NOT NULL,
    window TEXT NOT NULL,
    last_ms INTEGER,
    PRIMARY KEY(rule, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts(
    key TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    time TEXT,
    raised_ms INTEGER NOT NULL,
    alert TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sink TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    alert TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error TEXT,
    delivered_ms INTEGER,
    UNIQUE(sink, alert_key)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(sink, delivered_ms, next_attempt_ms);
CREATE TABLE IF NOT EXISTS blocklist(
    ip TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    weight INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY,
    dev INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    head INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    items INTEGER NOT NULL,
    complete INTEGER NOT NULL
) WITHOUT ROWID;
";

/// How far a followed file was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilePosition {
    /// Device of the file (its identity, with `ino` and `head`).
    pub dev: u64,
    /// Inode of the file.
    pub ino: u64,
    /// A hash of the file's first bytes (a replaced file with a reused inode differs).
    pub head: u64,
    /// The size when it was last read.
    pub size: u64,
    /// The modification time when it was last read (nanoseconds since the epoch).
    pub mtime_ns: i64,
    /// Items (records and malformed entries) already processed, in read order.
    pub items: u64,
    /// Whether the file was read to its end at `size`.
    pub complete: bool,
}

impl FilePosition {
    /// Whether `other` names the same file (device, inode, first bytes).
    pub fn same_file(&self, other: &FilePosition) -> bool {
        self.dev == other.dev && self.ino == other.ino && self.head == other.head
    }
}

/// An alert waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// The alert's stable key.
    pub key: String,
    /// The alert as JSON.
    pub alert: String,
    /// Attempts made so far.
    pub attempts: u32,
}

/// An address in the blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEntry {
    /// The client address.
    pub ip: String,
    /// The rule that listed it last.
    pub rule: String,
    /// Events it caused.
    pub weight: u64,
    /// When it stops being blocked (epoch milliseconds).
    pub expires_ms: i64,
}

#[derive(Default)]
struct ValueCache {
    /// The row exists in the database.
    in_db: bool,
    /// Observations in this transaction.
    delta: i64,
    first: Option<i64>,
    last: Option<i64>,
}

struct SubjectCache {
    observations: i64,
    nvalues: i64,
    values: HashMap<String, ValueCache>,
}

/// The state database.
pub struct Store {
    conn: Connection,
    in_tx: bool,
    error: Option<String>,
    /// History changes of the open transaction (namespace → subject), written at commit:
    /// a batch's repeated observations of one principal cost one row update.
    history: HashMap<String, HashMap<String, SubjectCache>>,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Opens (creating it and its directory if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path)
            .map_err(|e| Error::Store(format!("cannot open {}: {e}", path.display())))?;
        Self::init(conn, true)
    }

    /// A database in memory (for one run: nothing is kept).
    pub fn open_in_memory() -> Result<Store, Error> {
        Self::init(Connection::open_in_memory()?, false)
    }

    fn init(conn: Connection, file: bool) -> Result<Store, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if file {
            // WAL: readers (e.g. a second `palisade` looking at the outbox) do not block
            // the writer; FULL: a commit survives a power loss, not only a crash.
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Store(format!(
                    "cannot use write-ahead logging (journal mode {mode})"
                )));
            }
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        conn.execute_batch(SCHEMA)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match version.as_deref() {
            None => {
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES('schema', ?1)",
                    [SCHEMA_VERSION],
                )?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(Error::Store(format!(
                    "database schema version {v} is not supported (expected {SCHEMA_VERSION})"
                )))
            }
        }
        Ok(Store {
            conn,
            in_tx: false,
            error: None,
            history: HashMap::new(),
        })
    }

    /// Starts a transaction (every change until [`Store::commit`] is applied at once).
    pub fn begin(&mut self) -> Result<(), Error> {
        if !self.in_tx {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_tx = true;
            self.error = None;
        }
        Ok(())
    }

    /// Commits the transaction; fails (and rolls back) if a [`State`] call failed in it.
    pub fn commit(&mut self) -> Result<(), Error> {
        if let Some(e) = self.error.take() {
            self.rollback();
            return Err(Error::Store(e));
        }
        if self.in_tx {
            if let Err(e) = self.flush_history() {
                self.rollback();
                return Err(e.into());
            }
            if let Err(e) = self.conn.execute_batch("COMMIT") {
                self.rollback();
                return Err(e.into());
            }
            self.in_tx = false;
        }
        Ok(())
    }

    /// Abandons the transaction.
    pub fn rollback(&mut self) {
        self.history.clear();
        if self.in_tx {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.in_tx = false;
        }
        self.error = None;
    }

    fn note(&mut self, r: rusqlite::Result<()>) {
        if let Err(e) = r {
            if self.error.is_none() {
                self.error = Some(e.to_string());
            }
        }
    }

    // ------------------------------------------------------------------ meta

    /// A stored setting or counter.
    pub fn meta(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores a setting or counter.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES(?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    // ---------------------------------------------------------------- alerts

    /// Records an alert under its key; `true` when it is new (never raised before).
    pub fn insert_alert(&mut self, key: &str, alert: &Alert, now_ms: i64) -> Result<bool, Error> {
        let json = serde_json::to_string(alert).map_err(|e| Error::Store(e.to_string()))?;
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO alerts(key, rule, severity, time, raised_ms, alert)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                key,
                alert.rule,
                alert.severity,
                alert.time,
                now_ms,
                json
            ])?;
        Ok(n == 1)
    }

    /// How many alerts were ever raised.
    pub fn alert_count(&self) -> Result<u64, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM alerts", [], |r| r.get(0))?;
        Ok(to_u64(n))
    }

    // ---------------------------------------------------------------- outbox

    /// Queues an alert for a sink (once per sink and key).
    pub fn enqueue(
        &mut self,
        sink: &str,
        key: &str,
        alert_json: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO outbox(sink, alert_key, alert, created_ms, next_attempt_ms)
                 VALUES(?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![sink, key, alert_json, now_ms])?;
        Ok(())
    }

    /// Undelivered alerts for `sink` whose next attempt is due, oldest first.
    pub fn due(&self, sink: &str, now_ms: i64, limit: usize) -> Result<Vec<OutboxItem>, Error> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, alert_key, alert, attempts FROM outbox
             WHERE sink = ?1 AND delivered_ms IS NULL AND next_attempt_ms <= ?2
             ORDER BY id LIMIT ?3",
        )?;
        let rows = st.query_map(params![sink, now_ms, to_i64(limit as u64)], |r| {
            Ok(OutboxItem {
                id: r.get(0)?,
                key: r.get(1)?,
                alert: r.get(2)?,
                attempts: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(u32::MAX),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// When the next undelivered alert for `sink` is due (`None`: nothing waits).
    pub fn next_due_ms(&self, sink: &str) -> Result<Option<i64>, Error> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_ms) FROM outbox WHERE sink = ?1 AND delivered_ms IS NULL",
            [sink],
            |r| r.get(0),
        )?)
    }

    /// Marks alerts delivered.
    pub fn mark_delivered(&mut self, ids: &[i64], now_ms: i64) -> Result<(), Error> {
        let mut st = self.conn.prepare_cached(
            "UPDATE outbox SET delivered_ms = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
        )?;
        for id in ids {
            st.execute(params![id, now_ms])?;
        }
        Ok(())
    }

    /// Records a failed attempt; the next one is at `next_ms`.
    pub fn mark_failed(&mut self, ids: &[i64], next_ms: i64, error: &str) -> Result<(), Error> {
        let mut st = self.conn.prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE id = ?1",
        )?;
        for id in ids {
            st.execute(params![id, next_ms, error])?;
        }
        Ok(())
    }

    /// Defers alerts without counting an attempt (rate limited by the endpoint).
    pub fn defer(&mut self, ids: &[i64], next_ms: i64, reason: &str) -> Result<(), Error> {
        let mut st = self.conn.prepare_cached(
            "UPDATE outbox SET next_attempt_ms = ?2, last_error = ?3 WHERE id = ?1",
        )?;
        for id in ids {
            st.execute(params![id, next_ms, reason])?;
        }
        Ok(())
    }

    /// Undelivered alerts per sink.
    pub fn pending(&self) -> Result<Vec<(String, u64)>, Error> {
        let mut st = self.conn.prepare(
            "SELECT sink, count(*) FROM outbox WHERE delivered_ms IS NULL GROUP BY sink ORDER BY sink",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, to_u64(r.get(1)?))))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The last error of an undelivered alert per sink (for messages to people).
    pub fn last_errors(&self) -> Result<Vec<(String, String)>, Error> {
        let mut st = self.conn.prepare(
            "SELECT sink, last_error FROM outbox WHERE delivered_ms IS NULL AND last_error IS NOT NULL
             GROUP BY sink ORDER BY sink",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Forgets delivered alerts older than `before_ms` (the `alerts` table keeps their keys).
    pub fn prune_delivered(&mut self, before_ms: i64) -> Result<usize, Error> {
        Ok(self.conn.execute(
            "DELETE FROM outbox WHERE delivered_ms IS NOT NULL AND delivered_ms < ?1",
            [before_ms],
        )?)
    }

    // ------------------------------------------------------------- blocklist

    /// Lists (or keeps listing) a client address until `now_ms + ttl_ms`.
    pub fn block(
        &mut self,
        ip: &str,
        rule: &str,
        weight: u64,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<(), Error> {
        let expires = now_ms.saturating_add(ttl_ms);
        self.conn
            .prepare_cached(
                "INSERT INTO blocklist(ip, rule, weight, first_ms, last_ms, expires_ms)
                 VALUES(?1, ?2, ?3, ?4, ?4, ?5)
                 ON CONFLICT(ip) DO UPDATE SET rule = excluded.rule,
                    weight = weight + excluded.weight, last_ms = excluded.last_ms,
                    expires_ms = max(expires_ms, excluded.expires_ms)",
            )?
            .execute(params![ip, rule, to_i64(weight), now_ms, expires])?;
        Ok(())
    }

    /// Addresses still blocked at `now_ms`, most events first.
    pub fn blocked(&self, now_ms: i64) -> Result<Vec<BlockEntry>, Error> {
        let mut st = self.conn.prepare_cached(
            "SELECT ip, rule, weight, expires_ms FROM blocklist WHERE expires_ms > ?1
             ORDER BY weight DESC, ip",
        )?;
        let rows = st.query_map([now_ms], |r| {
            Ok(BlockEntry {
                ip: r.get(0)?,
                rule: r.get(1)?,
                weight: to_u64(r.get(2)?),
                expires_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Removes expired entries; returns how many.
    pub fn expire_blocks(&mut self, now_ms: i64) -> Result<usize, Error> {
        Ok(self
            .conn
            .execute("DELETE FROM blocklist WHERE expires_ms <= ?1", [now_ms])?)
    }

    // ----------------------------------------------------------------- files

    /// How far `path` was read.
    pub fn position(&self, path: &str) -> Result<Option<FilePosition>, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT dev, ino, head, size, mtime_ns, items, complete FROM files WHERE path = ?1",
            )?
            .query_row([path], |r| {
                Ok(FilePosition {
                    dev: to_u64(r.get(0)?),
                    ino: to_u64(r.get(1)?),
                    head: r.get::<_, i64>(2)? as u64,
                    size: to_u64(r.get(3)?),
                    mtime_ns: r.get(4)?,
                    items: to_u64(r.get(5)?),
                    complete: r.get(6)?,
                })
            })
            .optional()?)
    }

    /// Records how far `path` was read.
    pub fn set_position(&mut self, path: &str, p: &FilePosition) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO files(path, dev, ino, head, size, mtime_ns, items, complete)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino,
                    head = excluded.head, size = excluded.size, mtime_ns = excluded.mtime_ns,
                    items = excluded.items, complete = excluded.complete",
            )?
            .execute(params![
                path,
                to_i64(p.dev),
                to_i64(p.ino),
                p.head as i64,
                to_i64(p.size),
                p.mtime_ns,
                to_i64(p.items),
                p.complete
            ])?;
        Ok(())
    }

    /// Forgets burst windows idle since before `before_ms` (event time).
    pub fn prune_bursts(&mut self, before_ms: i64) -> Result<usize, Error> {
        Ok(self
            .conn
            .execute("DELETE FROM bursts WHERE last_ms < ?1", [before_ms])?)
    }

    /// Forgets burst windows idle for more than `margin_ms` before the latest event
    /// any window has seen (event time, so replaying old logs works too).
    pub fn prune_bursts_idle(&mut self, margin_ms: i64) -> Result<usize, Error> {
        Ok(self.conn.execute(
            "DELETE FROM bursts WHERE last_ms < (SELECT max(last_ms) FROM bursts) - ?1",
            [margin_ms],
        )?)
    }

    fn observe_sql(
        &mut self,
        namespace: &str,
        subject: &str,
        value: &str,
        time_ms: Option<i64>,
    ) -> rusqlite::Result<Seen> {
        if !self.history.contains_key(namespace) {
            self.history.insert(namespace.to_owned(), HashMap::new());
        }
        let conn = &self.conn;
        let Some(subjects) = self.history.get_mut(namespace) else {
            return Ok(Seen::default());
        };
        if !subjects.contains_key(subject) {
            let (observations, nvalues): (i64, i64) = conn
                .prepare_cached(
                    "SELECT observations, nvalues FROM subjects WHERE namespace = ?1 AND subject = ?2",
                )?
                .query_row([namespace, subject], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .unwrap_or((0, 0));
            subjects.insert(
                subject.to_owned(),
                SubjectCache {
                    observations,
                    nvalues,
                    values: HashMap::new(),
                },
            );
        }
        let Some(s) = subjects.get_mut(subject) else {
            return Ok(Seen::default());
        };
        if !s.values.contains_key(value) {
            let in_db = conn
                .prepare_cached(
                    "SELECT 1 FROM history WHERE namespace = ?1 AND subject = ?2 AND value = ?3",
                )?
                .exists([namespace, subject, value])?;
            s.values.insert(
                value.to_owned(),
                ValueCache {
                    in_db,
                    ..ValueCache::default()
                },
            );
        }
        let Some(v) = s.values.get_mut(value) else {
            return Ok(Seen::default());
        };
        let known = v.in_db || v.delta > 0;
        let seen = Seen {
            subject_observations: to_u64(s.observations),
            subject_values: to_u64(s.nvalues),
            value_known: known,
        };
        s.observations += 1;
        if !known {
            s.nvalues += 1;
        }
        v.delta += 1;
        v.first = min_opt(v.first, time_ms);
        v.last = max_opt(v.last, time_ms);
        if !self.in_tx {
            self.flush_history()?;
        }
        Ok(seen)
    }

    /// Writes the history changes of the transaction.
    fn flush_history(&mut self) -> rusqlite::Result<()> {
        let history = std::mem::take(&mut self.history);
        let mut subjects = self.conn.prepare_cached(
            "INSERT INTO subjects(namespace, subject, observations, nvalues) VALUES(?1, ?2, ?3, ?4)
             ON CONFLICT(namespace, subject) DO UPDATE SET observations = excluded.observations,
                nvalues = excluded.nvalues",
        )?;
        let mut values = self.conn.prepare_cached(
            "INSERT INTO history(namespace, subject, value, first_seen, last_seen, count)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(namespace, subject, value) DO UPDATE SET count = count + excluded.count,
                first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)),
                last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen))",
        )?;
        for (ns, subs) in &history {
            for (subject, s) in subs {
                let mut changed = false;
                for (value, v) in &s.values {
                    if v.delta > 0 {
                        changed = true;
                        values.execute(params![ns, subject, value, v.first, v.last, v.delta])?;
                    }
                }
                if changed {
                    subjects.execute(params![ns, subject, s.observations, s.nvalues])?;
                }
            }
        }
        Ok(())
    }

    fn burst_sql(
        &mut self,
        rule: &str,
        key: &str,
        time_ms: i64,
        tag: &str,
        burst: Burst,
    ) -> rusqlite::Result<Option<BurstHit>> {
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT window FROM bursts WHERE rule = ?1 AND key = ?2")?
            .query_row([rule, key], |r| r.get(0))
            .optional()?;
        let mut w: BurstWindow = text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let hit = w.add(time_ms, tag, burst);
        let text = serde_json::to_string(&w).unwrap_or_else(|_| "{}".to_owned());
        self.conn
            .prepare_cached(
                "INSERT INTO bursts(rule, key, window, last_ms) VALUES(?1, ?2, ?3, ?4)
                 ON CONFLICT(rule, key) DO UPDATE SET window = excluded.window, last_ms = excluded.last_ms",
            )?
            .execute(params![rule, key, text, w.last_ms()])?;
        Ok(hit)
    }
}

impl State for Store {
    fn observe(
        &mut self,
        namespace: &str,
        subject: &str,
        value: &str,
        time_ms: Option<i64>,
    ) -> Seen {
        match self.observe_sql(namespace, subject, value, time_ms) {
            Ok(seen) => seen,
            Err(e) => {
                self.note(Err(e));
                Seen::default()
            }
        }
    }

    fn burst_event(
        &mut self,
        rule: &str,
        key: &str,
        time_ms: i64,
        tag: &str,
        burst: Burst,
    ) -> Option<BurstHit> {
        match self.burst_sql(rule, key, time_ms, tag, burst) {
            Ok(hit) => hit,
            Err(e) => {
                self.note(Err(e));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_matches_memory_state_and_rolls_back() {
        let mut st = Store::open_in_memory().expect("open");
        let mut mem = crate::state::MemoryState::new();
        st.begin().expect("begin");
        for (v, t) in [("a", Some(5)), ("a", None), ("b", Some(1)), ("a", Some(9))] {
            assert_eq!(st.observe("ns", "s", v, t), mem.observe("ns", "s", v, t));
        }
        st.commit().expect("commit");
        st.begin().expect("begin");
        st.observe("ns", "s", "c", None);
        st.rollback();
        let seen = st.observe("ns", "s", "c", None);
        assert_eq!(
            seen,
            Seen {
                subject_observations: 4,
                subject_values: 2,
                value_known: false
            }
        );
    }

    #[test]
    fn outbox_and_blocklist() {
        let mut st = Store::open_in_memory().expect("open");
        st.enqueue("s", "k1", "{}", 100).expect("enqueue");
        st.enqueue("s", "k1", "{}", 100).expect("enqueue twice");
        st.enqueue("s", "k2", "{}", 200).expect("enqueue");
        assert_eq!(st.due("s", 150, 10).expect("due").len(), 1);
        let due = st.due("s", 1000, 10).expect("due");
        assert_eq!(due.len(), 2);
        st.mark_failed(&[due[0].id], 5000, "HTTP 500")
            .expect("fail");
        st.mark_delivered(&[due[1].id], 1000).expect("ok");
        assert!(st.due("s", 1000, 10).expect("due").is_empty());
        assert_eq!(st.next_due_ms("s").expect("next"), Some(5000));
        assert_eq!(st.due("s", 5000, 10).expect("due")[0].attempts, 1);
        assert_eq!(st.pending().expect("pending"), vec![("s".to_owned(), 1)]);

        st.block("192.0.2.1", "PAL-D014", 50, 0, 1000)
            .expect("block");
        st.block("192.0.2.1", "PAL-D014", 10, 500, 1000)
            .expect("block");
        st.block("2001:db8::1", "PAL-D015", 20, 0, 100)
            .expect("block");
        let b = st.blocked(200).expect("blocked");
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].weight, b[0].expires_ms), (60, 1500));
        assert_eq!(st.expire_blocks(200).expect("expire"), 1);
    }
}
