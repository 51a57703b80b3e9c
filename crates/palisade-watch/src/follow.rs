//! `palisade watch`: follows log files as they arrive and keeps going across restarts.
//!
//! Each poll walks the watched directories (the same walk as `palisade detect`)
//! and reads the files that are new or have grown, once they have stopped
//! changing for the settle time (a file still being copied is not read half-way).
//! A file is read from its start and the records already processed are skipped,
//! so every format (gzip, `{"Records":[...]}` documents, line formats) can be
//! resumed; records are processed in batches, and each batch commits, in one
//! transaction of the [`Store`]: the state changes it made (history, burst
//! windows), the new alerts (recorded by key, so an alert raised again is not
//! sent again), their outbox entries, the blocklist entries of MON-07 alerts,
//! the file position and the committed length of the output file.
//!
//! The output file (`--output`) gets every new alert exactly once, even if the
//! process is killed: its bytes are written and synced before the commit that
//! records its new length, and on start the file is cut back to the committed
//! length (dropping what an interrupted batch wrote). Alerts printed to standard
//! output are printed after the commit (at most once).
//!
//! A file is known by its path and identity (device, inode and a hash of its
//! first bytes): a file replaced under the same path is read from the start.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::detect::Detector;
use crate::error::Error;
use crate::notify::{self, Webhook};
use crate::read;
use crate::record::{Item, Malformed};
use crate::report::Alert;
use crate::store::{FilePosition, Store};
use crate::util;

/// How `palisade watch` runs.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Directories (or files) to follow.
    pub roots: Vec<PathBuf>,
    /// A file is read once its size and modification time have not changed for this long.
    pub settle: Duration,
    /// Items (records and malformed entries) per transaction.
    pub batch: usize,
    /// How long a client listed by a MON-07 alert stays in the blocklist.
    pub block_ttl: Duration,
    /// Where every new alert is appended as a JSON line, exactly once.
    pub output: Option<PathBuf>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            roots: Vec::new(),
            settle: Duration::from_secs(2),
            batch: 5000,
            block_ttl: Duration::from_secs(24 * 3600),
            output: None,
        }
    }
}

/// What one poll did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cycle {
    /// Files read (wholly or from where they were left).
    pub files: u64,
    /// Records processed (malformed ones included).
    pub records: u64,
    /// Malformed records and input errors.
    pub malformed: u64,
    /// Alerts raised for the first time.
    pub new_alerts: u64,
    /// Input errors (unreadable files, broken structure), at most 100.
    pub input_errors: Vec<Malformed>,
    /// Files seen but not read yet because they are still changing.
    pub waiting: u64,
}

struct Output {
    file: File,
    key: String,
    len: u64,
}

/// Follows directories of logs.
pub struct Watcher<'a> {
    config: &'a Config,
    opts: WatchOptions,
    store: Store,
    hooks: Vec<Webhook>,
    output: Option<Output>,
    /// Files read to their end, with the (size, mtime) read.
    done: HashMap<PathBuf, (u64, i64)>,
    /// Files seen changing: (size, mtime, since when unchanged).
    changing: HashMap<PathBuf, (u64, i64, Instant)>,
}

const HEAD_LEN: u64 = 512;

fn file_identity(path: &Path, meta: &fs::Metadata) -> std::io::Result<FilePosition> {
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0u64, 0u64);
    let mut head = Vec::new();
    File::open(path)?.take(HEAD_LEN).read_to_end(&mut head)?;
    Ok(FilePosition {
        dev,
        ino,
        head: head_hash(&head),
        size: meta.len(),
        mtime_ns: mtime_ns(meta),
        items: 0,
        complete: false,
    })
}

/// Hash of the first bytes (at most [`HEAD_LEN`]): the length goes in the low bits so a
/// growing small file can be checked against its shorter head.
fn head_hash(head: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in head {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h & !0x3ff) | (head.len() as u64 & 0x3ff)
}

fn same_head(path: &Path, recorded: u64) -> bool {
    let len = recorded & 0x3ff;
    let mut head = Vec::new();
    let ok = File::open(path)
        .and_then(|f| f.take(len).read_to_end(&mut head))
        .is_ok();
    ok && head_hash(&head) == recorded
}

fn mtime_ns(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

impl<'a> Watcher<'a> {
    /// A watcher over `store`; opens the output file and cuts it back to its
    /// committed length.
    pub fn new(
        config: &'a Config,
        mut store: Store,
        mut opts: WatchOptions,
        hooks: Vec<Webhook>,
    ) -> Result<Watcher<'a>, Error> {
        let mut roots = Vec::new();
        for r in &opts.roots {
            let c = fs::canonicalize(r).map_err(|source| Error::Io {
                path: r.clone(),
                source,
            })?;
            roots.push(c);
        }
        opts.roots = roots;
        let output = match &opts.output {
            None => None,
            Some(p) => Some(Self::open_output(&mut store, p)?),
        };
        Ok(Watcher {
            config,
            opts,
            store,
            hooks,
            output,
            done: HashMap::new(),
            changing: HashMap::new(),
        })
    }

    fn open_output(store: &mut Store, path: &Path) -> Result<Output, Error> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(io)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        let canon = fs::canonicalize(path).map_err(io)?;
        let key = format!("output_len:{}", canon.display());
        let actual = file.metadata().map_err(io)?.len();
        let committed = store.meta(&key)?.and_then(|v| v.parse::<u64>().ok());
        let len = match committed {
            // Cut off what an interrupted batch wrote.
            Some(c) if actual > c => {
                file.set_len(c).map_err(io)?;
                file.sync_all().map_err(io)?;
                c
            }
            // The file was cut or replaced by someone else: append to what is there.
            _ => actual,
        };
        store.set_meta(&key, &len.to_string())?;
        Ok(Output { file, key, len })
    }

    /// The state database.
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The configured webhooks.
    pub fn webhooks(&self) -> &[Webhook] {
        &self.hooks
    }

    /// Reads everything new under the roots; `on_alert` gets each new alert after
    /// the batch that raised it is committed.
    pub fn poll(&mut self, on_alert: &mut dyn FnMut(&Alert)) -> Result<Cycle, Error> {
        let mut cycle = Cycle::default();
        let mut files = Vec::new();
        for root in self.opts.roots.clone() {
            match read::collect_files(&root) {
                Ok(f) => files.extend(f),
                Err(e) => push_error(
                    &mut cycle,
                    Malformed {
                        file: root.display().to_string(),
                        line: 0,
                        message: format!("cannot read: {e}"),
                    },
                ),
            }
        }
        // Never read the output file or the state database as input.
        if let Some(o) = &self.opts.output {
            if let Ok(c) = fs::canonicalize(o) {
                files.retain(|f| *f != c);
            }
        }
        for path in files {
            self.poll_file(&path, &mut cycle, on_alert)?;
        }
        let now = notify::now_ms();
        self.store.expire_blocks(now)?;
        // Delivered notifications are kept a week for inspection; their keys stay in
        // `alerts`, so they are never sent again.
        self.store
            .prune_delivered(now.saturating_sub(7 * 24 * 3_600_000))?;
        let margin = i64::try_from(
            self.config
                .alb_burst
                .window_secs
                .max(self.config.waf_burst.window_secs),
        )
        .unwrap_or(i64::MAX / 4)
        .saturating_mul(2000)
        .saturating_add(3_600_000);
        self.store.prune_bursts_idle(margin)?;
        Ok(cycle)
    }

    fn poll_file(
        &mut self,
        path: &Path,
        cycle: &mut Cycle,
        on_alert: &mut dyn FnMut(&Alert),
    ) -> Result<(), Error> {
        let Ok(meta) = fs::metadata(path) else {
            return Ok(()); // gone since the walk
        };
        let size = meta.len();
        let mtime = mtime_ns(&meta);
        if self.done.get(path) == Some(&(size, mtime)) {
            return Ok(());
        }
        let name = path.display().to_string();
        let pos = self.store.position(&name)?;
        if let Some(p) = &pos {
            if p.complete && p.size == size && p.mtime_ns == mtime {
                self.done.insert(path.to_path_buf(), (size, mtime));
                return Ok(());
            }
        }
        // Wait until the file stops changing.
        let now = Instant::now();
        match self.changing.get(path) {
            Some((s, m, since)) if *s == size && *m == mtime => {
                if now.duration_since(*since) < self.opts.settle {
                    cycle.waiting += 1;
                    return Ok(());
                }
            }
            _ => {
                self.changing.insert(path.to_path_buf(), (size, mtime, now));
                if !self.opts.settle.is_zero() {
                    cycle.waiting += 1;
                    return Ok(());
                }
            }
        }
        self.changing.remove(path);
        let mut ident = match file_identity(path, &meta) {
            Ok(i) => i,
            Err(e) => {
                push_error(
                    cycle,
                    Malformed {
                        file: name,
                        line: 0,
                        message: format!("cannot open: {e}"),
                    },
                );
                return Ok(());
            }
        };
        // Continue a file we know (same identity, not shorter); else read it from the start.
        let skip = match &pos {
            Some(p)
                if p.dev == ident.dev
                    && p.ino == ident.ino
                    && size >= p.size
                    && same_head(path, p.head) =>
            {
                ident.head = p.head;
                p.items
            }
            _ => 0,
        };
        cycle.files += 1;
        self.read_file(path, &name, ident, skip, cycle, on_alert)?;
        self.done.insert(path.to_path_buf(), (size, mtime));
        Ok(())
    }

    fn read_file(
        &mut self,
        path: &Path,
        name: &str,
        ident: FilePosition,
        skip: u64,
        cycle: &mut Cycle,
        on_alert: &mut dyn FnMut(&Alert),
    ) -> Result<(), Error> {
        let batch_size = self.opts.batch.max(1);
        let mut index: u64 = 0;
        let mut batch: Vec<Item> = Vec::with_capacity(batch_size.min(10_000));
        let mut failed: Option<Error> = None;
        {
            let mut on_item = |item: Item| {
                index += 1;
                if index <= skip || failed.is_some() {
                    return;
                }
                batch.push(item);
                if batch.len() >= batch_size {
                    let items = std::mem::take(&mut batch);
                    let pos = FilePosition {
                        items: index,
                        complete: false,
                        ..ident
                    };
                    if let Err(e) = self.commit_batch(name, items, pos, cycle, on_alert) {
                        failed = Some(e);
                    }
                }
            };
            read::read_file(path, &mut on_item);
        }
        if let Some(e) = failed {
            return Err(e);
        }
        let pos = FilePosition {
            items: index.max(skip),
            complete: true,
            ..ident
        };
        self.commit_batch(name, batch, pos, cycle, on_alert)
    }

    /// Processes one batch and commits it with the file position.
    fn commit_batch(
        &mut self,
        name: &str,
        items: Vec<Item>,
        pos: FilePosition,
        cycle: &mut Cycle,
        on_alert: &mut dyn FnMut(&Alert),
    ) -> Result<(), Error> {
        self.store.begin()?;
        match self.batch_in_tx(name, items, pos, cycle) {
            Ok((new, written)) => {
                if let Err(e) = self.store.commit() {
                    self.undo_output(written);
                    return Err(e);
                }
                if let Some(o) = &mut self.output {
                    o.len += written;
                }
                cycle.new_alerts += new.len() as u64;
                for a in &new {
                    on_alert(a);
                }
                Ok(())
            }
            Err(e) => {
                self.store.rollback();
                if let Some(o) = &self.output {
                    let _ = o.file.set_len(o.len);
                }
                Err(e)
            }
        }
    }

    fn undo_output(&mut self, written: u64) {
        if let Some(o) = &self.output {
            if written > 0 {
                let _ = o.file.set_len(o.len);
            }
        }
    }

    fn batch_in_tx(
        &mut self,
        name: &str,
        items: Vec<Item>,
        pos: FilePosition,
        cycle: &mut Cycle,
    ) -> Result<(Vec<Alert>, u64), Error> {
        let mut det = Detector::new(self.config, &mut self.store).incremental_bursts();
        for item in items {
            if let Item::Malformed(m) = &item {
                if m.is_input_error() {
                    push_error(cycle, m.clone());
                }
            }
            det.process(item);
        }
        let report = det.finish();
        cycle.records += report.summary.records;
        cycle.malformed += report.summary.malformed;
        let now = notify::now_ms();
        let mut new = Vec::new();
        for a in report.alerts {
            let key = a.key();
            if self.store.insert_alert(&key, &a, now)? {
                new.push((key, a));
            }
        }
        let refs: Vec<(String, &Alert)> = new.iter().map(|(k, a)| (k.clone(), a)).collect();
        notify::enqueue(&mut self.store, &self.hooks, &refs, now)?;
        let ttl = i64::try_from(self.opts.block_ttl.as_millis()).unwrap_or(i64::MAX);
        for (ip, weight) in
            crate::blocklist::offenders(&new.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>())
        {
            let rule = new
                .iter()
                .find(|(_, a)| a.source_ip.as_deref().and_then(util::parse_ip) == Some(ip))
                .map_or("MON-07", |(_, a)| a.rule.as_str());
            self.store.block(&ip.to_string(), rule, weight, now, ttl)?;
        }
        let mut written = 0;
        if let Some(o) = &mut self.output {
            let mut bytes = Vec::new();
            for (_, a) in &new {
                serde_json::to_writer(&mut bytes, a).map_err(|e| Error::Store(e.to_string()))?;
                bytes.push(b'\n');
            }
            if !bytes.is_empty() {
                let io = |source| Error::Io {
                    path: PathBuf::from(&o.key),
                    source,
                };
                o.file.seek(SeekFrom::Start(o.len)).map_err(io)?;
                o.file.write_all(&bytes).map_err(io)?;
                o.file.sync_data().map_err(io)?;
                written = bytes.len() as u64;
                let key = o.key.clone();
                let len = o.len + written;
                self.store.set_meta(&key, &len.to_string())?;
            }
        }
        self.store.set_position(name, &pos)?;
        Ok((new.into_iter().map(|(_, a)| a).collect(), written))
    }

    /// Delivers queued notifications until `deadline`.
    pub fn deliver(
        &mut self,
        notifier: &mut notify::Notifier,
        deadline: Instant,
    ) -> Result<notify::Delivery, Error> {
        notifier.deliver(&mut self.store, deadline)
    }
}

fn push_error(cycle: &mut Cycle, m: Malformed) {
    if cycle.input_errors.len() < 100 {
        cycle.input_errors.push(m);
    }
}
