//! The model workers the app talks to: the main one, one loading to replace it (the picker's
//! switch) and model B's. Each has its own thread and channels; replies are read from all of
//! them and tagged with where they came from.

use crate::engine::{self, EngineHandle, EngineOptions, Reply, Request};
use crate::state::Slot;

/// Where a reply came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Main,
    Other(Slot),
}

/// Every worker of the session.
pub struct Engines {
    pub main: EngineHandle,
    /// Whether the main worker's reply channel is still open.
    pub main_alive: bool,
    incoming: Option<EngineHandle>,
    b: Option<EngineHandle>,
    /// How new workers are started (device, precision, threads); `model` is replaced.
    template: Option<EngineOptions>,
}

impl Engines {
    /// The main worker alone; without a `template` no other worker can be started.
    pub fn new(main: EngineHandle, template: Option<EngineOptions>) -> Engines {
        Engines {
            main,
            main_alive: true,
            incoming: None,
            b: None,
            template,
        }
    }

    /// Starts model B's worker with the session (`--model-b`).
    pub fn with_b(mut self, b: EngineHandle) -> Engines {
        self.b = Some(b);
        self
    }

    fn slot(&mut self, slot: Slot) -> &mut Option<EngineHandle> {
        match slot {
            Slot::Incoming => &mut self.incoming,
            Slot::B => &mut self.b,
        }
    }

    /// Starts a worker loading `path` in `slot` (shutting down the one there); `false` when no
    /// template was given.
    pub fn load(&mut self, slot: Slot, path: std::path::PathBuf) -> bool {
        let Some(mut opts) = self.template.clone() else {
            return false;
        };
        opts.model = path;
        self.drop_worker(slot);
        *self.slot(slot) = Some(engine::spawn(opts));
        true
    }

    /// Shuts down the worker in `slot`, if any (its thread ends after its current request).
    pub fn drop_worker(&mut self, slot: Slot) {
        if let Some(old) = self.slot(slot).take() {
            let _ = old.requests.send(Request::Shutdown);
        }
    }

    /// The incoming worker becomes the main one; the old main one is shut down (its pending
    /// replies are dropped with its channel).
    pub fn promote(&mut self) {
        if let Some(new) = self.incoming.take() {
            let old = std::mem::replace(&mut self.main, new);
            let _ = old.requests.send(Request::Shutdown);
            self.main_alive = true;
        }
    }

    /// Sends a request to model B's worker; `false` when there is none or it is gone.
    pub fn send_b(&self, request: Request) -> bool {
        self.b
            .as_ref()
            .is_some_and(|b| b.requests.send(request).is_ok())
    }

    /// The next reply from any worker; `None` with the source when its channel closed (the
    /// closed side worker is forgotten).
    pub async fn recv(&mut self) -> (Source, Option<Reply>) {
        let main_alive = self.main_alive;
        let reply = tokio::select! {
            r = self.main.replies.recv(), if main_alive => (Source::Main, r),
            r = recv_opt(&mut self.incoming) => (Source::Other(Slot::Incoming), r),
            r = recv_opt(&mut self.b) => (Source::Other(Slot::B), r),
        };
        self.closed(reply.0, reply.1.is_none());
        reply
    }

    /// A reply already queued, if any.
    pub fn try_recv(&mut self) -> Option<(Source, Reply)> {
        if let Ok(r) = self.main.replies.try_recv() {
            return Some((Source::Main, r));
        }
        for slot in [Slot::Incoming, Slot::B] {
            if let Some(r) = self
                .slot(slot)
                .as_mut()
                .and_then(|h| h.replies.try_recv().ok())
            {
                return Some((Source::Other(slot), r));
            }
        }
        None
    }

    fn closed(&mut self, from: Source, closed: bool) {
        if !closed {
            return;
        }
        match from {
            Source::Main => self.main_alive = false,
            Source::Other(slot) => *self.slot(slot) = None,
        }
    }

    /// Shuts every worker down.
    pub fn shutdown(&mut self) {
        let _ = self.main.requests.send(Request::Shutdown);
        self.drop_worker(Slot::Incoming);
        self.drop_worker(Slot::B);
    }
}

async fn recv_opt(handle: &mut Option<EngineHandle>) -> Option<Reply> {
    match handle {
        Some(h) => h.replies.recv().await,
        None => std::future::pending().await,
    }
}
