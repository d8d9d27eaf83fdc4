//! What a session's threads and its handle share: counters, the client list, send queues,
//! the capture file, the responder, delayed replies, the kernel's drop count and the kind of
//! WebSocket data frame.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Instant;

use socket2::Socket;

use crate::codec::websocket::DataFrames;
use crate::error::Error;
use crate::net::ClientId;
use crate::net::budget::Budget;
use crate::net::capture_file::CaptureFile;
use crate::net::command::Setting;
use crate::net::delayed::{Delayed, Job};
use crate::net::kernel_drops::DropMeter;
use crate::net::outbox::{InFlight, Outbox};
use crate::net::rules::Responder;
use crate::net::sequence::{Expectation, Met};
use crate::net::session::ClientInfo;
use crate::net::stats::{Counters, Totals};
use crate::net::stoppable::Stop;

/// What the session's threads and its handle share.
pub(crate) struct Shared {
    pub counters: Counters,
    pub(super) clients: Mutex<Vec<ClientInfo>>,
    /// Each TCP connection's send queue (by client id; None for a TCP client's connection),
    /// so the session handle and producers reach it without a detour through the control thread.
    pub(super) outboxes: Mutex<HashMap<Option<ClientId>, Arc<Outbox>>>,
    /// A relay's send queues toward its target, by the client id of their pair.
    pub(super) relay_targets: Mutex<HashMap<ClientId, Arc<Outbox>>>,
    /// Where every received byte is also written, exactly as it arrived.
    pub(super) capture: Mutex<Option<CaptureFile>>,
    /// Bytes were left out of the capture because the session stopped while it was behind.
    capture_cut: AtomicBool,
    /// Messages handed to the session and not yet written or failed.
    pub in_flight: Arc<InFlight>,
    /// What the connections' framing buffers and send queues may hold together.
    pub budget: Arc<Budget>,
    /// Echo and auto-reply rules, answered on the readers' side; the version tells readers
    /// when to pick up new rules.
    pub(super) responder: RwLock<Option<Arc<Responder>>>,
    pub(super) responder_version: AtomicU64,
    pub(super) delayed: Mutex<Option<Delayed>>,
    /// A UDP socket's count of datagrams the kernel dropped (Linux), set once the socket is
    /// bound; read without a lock by the window's every frame.
    pub(super) drop_meter: OnceLock<DropMeter>,
    /// A running sequence's wait for a reply, with a flag that spares the receivers the lock
    /// while none is armed.
    expectation: Mutex<Option<Expectation>>,
    expecting: AtomicBool,
    /// On WebSocket connections, what a message without an opcode of its own goes out as (a
    /// `DataFrames` as its `u8`): set by the front end, read by each write, without a lock.
    data_frames: AtomicU8,
}

impl Shared {
    /// With the capture and the rules in force from the first byte on.
    pub(super) fn new(
        memory_budget: usize,
        capture: Option<CaptureFile>,
        responder: Option<Responder>,
    ) -> Shared {
        Shared {
            counters: Counters::default(),
            clients: Mutex::default(),
            outboxes: Mutex::default(),
            relay_targets: Mutex::default(),
            capture: Mutex::new(capture),
            capture_cut: AtomicBool::new(false),
            in_flight: Arc::default(),
            budget: Arc::new(Budget::new(memory_budget)),
            responder: RwLock::new(responder.map(Arc::new)),
            // Ahead of a reader's first version (0), so each reader picks up the first rules.
            responder_version: AtomicU64::new(1),
            delayed: Mutex::default(),
            drop_meter: OnceLock::new(),
            expectation: Mutex::default(),
            expecting: AtomicBool::new(false),
            data_frames: AtomicU8::new(0),
        }
    }

    /// What kind of data frame a WebSocket message goes out as, from now on.
    pub fn set_data_frames(&self, frames: DataFrames) {
        self.data_frames.store(frames as u8, Ordering::Relaxed);
    }

    pub fn data_frames(&self) -> DataFrames {
        let index = self.data_frames.load(Ordering::Relaxed) as usize;
        DataFrames::ALL.get(index).copied().unwrap_or_default()
    }

    /// Arms a sequence's wait for a reply (None: disarms).
    pub fn expect(&self, expectation: Option<Expectation>) {
        let armed = expectation.is_some();
        *lock(&self.expectation) = expectation;
        self.expecting.store(armed, Ordering::Release);
    }

    /// Shows a received message to a sequence waiting for replies, if one is: where to tell
    /// each wait this message met.
    pub fn offer_to_sequence(&self, data: &[u8]) -> Vec<Met> {
        if !self.expecting.load(Ordering::Acquire) {
            return Vec::new();
        }
        lock(&self.expectation)
            .as_mut()
            .map_or_else(Vec::new, |expectation| expectation.offer(data))
    }

    /// Counts the datagrams the kernel drops on `socket` from now on.
    pub fn meter_drops(&self, socket: Arc<Socket>) {
        if let Some(meter) = DropMeter::new(socket) {
            // A session binds one UDP socket: a second meter would have nothing to count.
            let _ = self.drop_meter.set(meter);
        }
    }

    /// Datagrams the kernel dropped since the session began (or its counters were reset).
    pub fn kernel_dropped(&self) -> u64 {
        self.drop_meter.get().map_or(0, DropMeter::dropped)
    }

    /// The session's counters, with the kernel's drops.
    pub fn totals(&self) -> Totals {
        Totals {
            kernel_dropped: self.kernel_dropped(),
            ..self.counters.totals()
        }
    }

    pub fn outboxes(&self) -> MutexGuard<'_, HashMap<Option<ClientId>, Arc<Outbox>>> {
        lock(&self.outboxes)
    }

    pub(super) fn outbox(&self, key: Option<ClientId>) -> Option<Arc<Outbox>> {
        self.outboxes().get(&key).cloned()
    }

    pub fn relay_targets(&self) -> MutexGuard<'_, HashMap<ClientId, Arc<Outbox>>> {
        lock(&self.relay_targets)
    }

    /// Hands received bytes to the capture file's writer, if a capture is on; waits while the
    /// disk is behind (no lock is held meanwhile). A failed write ends the capture and says
    /// why, once.
    pub fn capture(&self, data: &[u8], stop: &Stop) -> Result<(), Error> {
        let Some(chunks) = lock(&self.capture).as_ref().map(CaptureFile::chunks) else {
            return Ok(());
        };
        // A stop does not wait for the disk or a FIFO's reader: what was not taken is left
        // out, and the capture says so as it finishes.
        let sent = crossbeam_channel::select! {
            send(chunks, data.to_vec()) -> sent => sent.is_ok(),
            recv(stop.receiver()) -> _ => {
                self.capture_cut.store(true, Ordering::Release);
                return Ok(());
            },
        };
        if sent {
            return Ok(());
        }
        // The writer stopped: report its failure once and end the capture.
        let mut capture = lock(&self.capture);
        match capture.as_ref().and_then(CaptureFile::failure) {
            Some(error) => {
                if let Some(ended) = capture.take() {
                    drop(capture);
                    // Its failure is the one being reported.
                    let _ = ended.finish();
                }
                Err(error)
            }
            None => Ok(()),
        }
    }

    /// Ends the capture (if any) and waits until its file holds everything it was given;
    /// why the last writes failed, if they did.
    pub fn finish_capture(&self) -> Option<Error> {
        let ended = lock(&self.capture).take()?;
        let path = ended.path().display().to_string();
        let failure = ended.finish();
        match self.capture_cut.swap(false, Ordering::AcqRel) {
            true => failure.or(Some(Error::File {
                action: "capturing to",
                path,
                message: "the session stopped while the capture was behind; it is incomplete"
                    .to_string(),
            })),
            false => failure,
        }
    }

    /// Lists a client just accepted (before it is reported), with counters of its own.
    pub fn list_client(
        &self,
        id: ClientId,
        local: std::net::SocketAddr,
        peer: std::net::SocketAddr,
    ) -> Arc<Counters> {
        let counters = Arc::new(Counters::default());
        self.clients().push(ClientInfo {
            id,
            local,
            peer,
            since: std::time::SystemTime::now(),
            counters: counters.clone(),
        });
        counters
    }

    pub fn clients(&self) -> MutexGuard<'_, Vec<ClientInfo>> {
        lock(&self.clients)
    }

    /// Makes a change the session's handle asked for; run by the control thread, so that the
    /// front end never takes these locks.
    pub fn apply(&self, setting: Setting) {
        match setting {
            Setting::Responder(responder) => {
                crate::net::front_end::assert_engine_thread();
                *self
                    .responder
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = responder.map(Arc::new);
                self.responder_version.fetch_add(1, Ordering::AcqRel);
            }
            Setting::Capture(capture) => {
                // A capture it replaces finishes writing on its own thread.
                let _replaced = std::mem::replace(&mut *lock(&self.capture), capture);
            }
            Setting::ResetTotals => {
                self.counters.reset();
                if let Some(meter) = self.drop_meter.get() {
                    meter.reset();
                }
                for client in self.clients().iter() {
                    client.counters.reset();
                }
            }
            Setting::Mark(applied) => drop(applied),
        }
    }

    /// The rules in force if they changed since `version`, with the new version.
    pub fn responder_since(&self, version: u64) -> Option<(u64, Option<Arc<Responder>>)> {
        let now = self.responder_version.load(Ordering::Acquire);
        (now != version).then(|| {
            crate::net::front_end::assert_engine_thread();
            let responder = self
                .responder
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            (now, responder)
        })
    }

    /// Sends `job` at `due` on the session's delayed-reply thread (started on first use).
    /// Waits while that thread holds its most; false if the session is ending.
    pub fn schedule(&self, due: Instant, job: Job, stop: &Stop) -> Result<(), Error> {
        let inbox = {
            let mut delayed = lock(&self.delayed);
            if delayed.is_none() {
                *delayed = Some(Delayed::start(stop)?);
            }
            delayed.as_ref().and_then(Delayed::inbox)
        };
        let Some(inbox) = inbox else {
            return Err(Error::NotConnected);
        };
        // Waits while the thread holds its most, or until the session stops.
        crossbeam_channel::select! {
            send(inbox, (due, job)) -> sent => sent.map_err(|_| Error::NotConnected),
            recv(stop.receiver()) -> _ => Err(Error::NotConnected),
        }
    }

    /// Ends the delayed-reply thread; replies not yet due are dropped. Called as the session
    /// stops, after its connections are closed.
    pub fn stop_delayed(&self) {
        let delayed = lock(&self.delayed).take();
        drop(delayed);
    }
}

/// Takes a lock even if a holder panicked: every structure here stays valid between calls.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    crate::net::front_end::assert_engine_thread();
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
