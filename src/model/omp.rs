//! Work split over libtorch's own OpenMP team (libgomp's `GOMP_parallel`, the entry point the
//! compiler emits for `#pragma omp parallel`), so our kernels and ATen's ops share one set of
//! threads: a second pool would fight ATen's spinning workers for the same two cores.
//!
//! The symbols are looked up at run time in the libraries already loaded (libtorch brings
//! libgomp). Where they are missing (another OpenMP runtime) the work runs on the calling
//! thread, which gives the same results: callers split work so that each item is computed the
//! same way whichever thread computes it.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

type ParallelFn = unsafe extern "C" fn(extern "C" fn(*mut c_void), *mut c_void, u32, u32);
type ThreadNumFn = unsafe extern "C" fn() -> i32;

struct Gomp {
    parallel: ParallelFn,
    thread_num: ThreadNumFn,
    num_threads: ThreadNumFn,
}

fn gomp() -> Option<&'static Gomp> {
    static GOMP: OnceLock<Option<Gomp>> = OnceLock::new();
    GOMP.get_or_init(|| {
        // SAFETY: dlsym on the global scope with NUL-terminated names; each symbol, when
        // present, is libgomp's function of that name with the signature declared above.
        unsafe {
            let find = |name: &std::ffi::CStr| libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
            let (p, t, n) = (
                find(c"GOMP_parallel"),
                find(c"omp_get_thread_num"),
                find(c"omp_get_num_threads"),
            );
            if p.is_null() || t.is_null() || n.is_null() {
                return None;
            }
            Some(Gomp {
                parallel: std::mem::transmute::<*mut c_void, ParallelFn>(p),
                thread_num: std::mem::transmute::<*mut c_void, ThreadNumFn>(t),
                num_threads: std::mem::transmute::<*mut c_void, ThreadNumFn>(n),
            })
        }
    })
    .as_ref()
}

/// Runs `f(thread, threads)` on each of `threads` threads of the OpenMP team (the calling
/// thread is thread 0) and returns when all are done. One thread, or no libgomp: `f(0, 1)` here.
/// A panic on any thread is raised again on the calling thread once the team has finished, so
/// the engine's recovery (`engine/recover.rs`) sees it as it sees any other.
pub fn parallel(threads: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    let Some(g) = gomp().filter(|_| threads > 1) else {
        return f(0, 1);
    };
    type Payload = Box<dyn std::any::Any + Send>;
    struct Job<'a> {
        f: &'a (dyn Fn(usize, usize) + Sync),
        gomp: &'a Gomp,
        panic: Mutex<Option<Payload>>,
    }
    extern "C" fn trampoline(data: *mut c_void) {
        // SAFETY: `data` is the `Job` below, alive until GOMP_parallel returns.
        let job = unsafe { &*(data as *const Job) };
        // SAFETY: libgomp's own queries, called inside its parallel region.
        let (t, n) = unsafe { ((job.gomp.thread_num)(), (job.gomp.num_threads)()) };
        // A panic must not unwind into C: it is kept for the calling thread.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (job.f)(t.max(0) as usize, n.max(1) as usize)
        }));
        if let Err(payload) = run {
            let mut first = job.panic.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert(payload);
        }
    }
    let job = Job {
        f,
        gomp: g,
        panic: Mutex::new(None),
    };
    // SAFETY: libgomp runs `trampoline(&job)` on each team thread and joins them before it
    // returns, so `job` and what it borrows outlive every use.
    unsafe {
        (g.parallel)(
            trampoline,
            &job as *const Job as *mut c_void,
            threads as u32,
            0,
        );
    }
    if let Some(payload) = job.panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        std::panic::resume_unwind(payload);
    }
}

/// Runs `f` on each of `items` on the OpenMP team (items handed out as threads free up), and
/// returns when all are done: how work that owns its pieces (disjoint `&mut` slices) is split.
pub fn for_each<T: Send>(items: Vec<T>, f: &(dyn Fn(T) + Sync)) {
    let n = items.len();
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    parallel(threads().min(n), &|_, _| {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = slots.get(i) else { break };
            let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(item) = item {
                f(item);
            }
        }
    });
}

/// The threads a kernel should use: libtorch's intra-op count (which the step governor of
/// [`crate::engine::threads`] lowers while another process holds a core).
pub fn threads() -> usize {
    tch::get_num_threads().max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_thread_runs_once() {
        let seen = Mutex::new(Vec::new());
        parallel(2, &|t, n| seen.lock().unwrap().push((t, n)));
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        // Two team threads where libgomp is loaded (libtorch brings it), else one call.
        assert!(seen == [(0, 2), (1, 2)] || seen == [(0, 1)], "{seen:?}");
        let one = Mutex::new(Vec::new());
        parallel(1, &|t, n| one.lock().unwrap().push((t, n)));
        assert_eq!(one.into_inner().unwrap(), [(0, 1)]);
    }

    #[test]
    fn a_panic_on_the_team_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            parallel(2, &|t, _| assert!(t != 1, "thread 1 fails"));
            parallel(2, &|_, _| panic!("every thread fails"));
        });
        assert!(caught.is_err());
    }

    #[test]
    fn each_item_once() {
        let mut out = vec![0u32; 10];
        let parts: Vec<(usize, &mut [u32])> = out.chunks_mut(3).enumerate().collect();
        for_each(parts, &|(i, part)| part.fill(i as u32 + 1));
        assert_eq!(out, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4]);
    }
}
