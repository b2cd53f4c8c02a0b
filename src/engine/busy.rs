//! Whether other processes hold a core: read from the kernel's CPU accounting rather than
//! guessed from our own timings, so a machine that is busy from the very first prompt (a
//! compiler already running) is seen at once. [`crate::engine::threads`] judges by timings and
//! needs a quiet run to compare with; this needs none.
//!
//! Over each window of at least [`WINDOW_TICKS`] clock ticks, the CPU time every process used
//! (`/proc/stat`: user, nice, system, irq, softirq, and steal, the time the hypervisor gave our
//! virtual CPUs to someone else) minus our own (`/proc/self/stat`: utime + stime, every thread)
//! is what the others took. Half a core or more of it counts as busy. Where the files cannot be
//! read (not Linux) the machine is taken as quiet.

/// The shortest window judged (the counters move in ticks of 10 ms).
const WINDOW_TICKS: u64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    /// All CPU time of the machine, idle included, summed over its CPUs.
    total: u64,
    /// The busy part of it (steal included).
    busy: u64,
    /// Ours.
    ours: u64,
}

/// Watches the others' CPU use between calls.
#[derive(Debug, Default)]
pub struct CpuWatch {
    last: Option<Sample>,
    busy: bool,
}

impl CpuWatch {
    /// Whether other processes took half a core or more since the window began; the last
    /// verdict while the window is still shorter than [`WINDOW_TICKS`].
    pub fn others_busy(&mut self) -> bool {
        let Some(now) = sample() else {
            return false;
        };
        match self.last {
            Some(last) if now.total.saturating_sub(last.total) >= WINDOW_TICKS * cpus() => {
                self.busy = judge(last, now);
                self.last = Some(now);
            }
            Some(_) => {}
            None => self.last = Some(now),
        }
        self.busy
    }
}

/// Half a core or more of CPU time by the others between `a` and `b`.
fn judge(a: Sample, b: Sample) -> bool {
    let total = b.total.saturating_sub(a.total);
    let others = b
        .busy
        .saturating_sub(a.busy)
        .saturating_sub(b.ours.saturating_sub(a.ours));
    // total counts every CPU: a window of `t` ticks on `n` CPUs is n·t. Half a core: t / 2.
    total > 0 && 2 * others * cpus() >= total
}

fn cpus() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

fn sample() -> Option<Sample> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let own = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse(&stat, &own)
}

/// `cpu  user nice system idle iowait irq softirq steal …` and our `… (comm) state … utime
/// stime …` (fields 14 and 15, counted after the parenthesised name, which may hold spaces).
fn parse(stat: &str, own: &str) -> Option<Sample> {
    let cpu = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = cpu
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let field = |i: usize| v.get(i).copied().unwrap_or(0);
    let busy = field(0) + field(1) + field(2) + field(5) + field(6) + field(7);
    let total = busy + field(3) + field(4);
    let after_name = &own[own.rfind(')')? + 1..];
    let f: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let ours = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Sample { total, busy, ours })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "1234 (model worker) R 1 2 3 4 5 6 7 8 9 10 300 40 0 0 20 0 3";

    #[test]
    fn reads_the_kernels_counters() {
        let stat = "cpu  100 5 50 800 10 1 2 3 0 0\ncpu0 50 2 25 400 5 0 1 1 0 0\n";
        let s = parse(stat, OWN).unwrap();
        assert_eq!(s.busy, 100 + 5 + 50 + 1 + 2 + 3);
        assert_eq!(s.total, s.busy + 800 + 10);
        assert_eq!(s.ours, 340);
        assert!(parse("intr 1 2", OWN).is_none());
        assert!(parse(stat, "no name here").is_none());
    }

    #[test]
    fn others_using_half_a_core_is_busy() {
        let n = cpus();
        let a = Sample {
            total: 0,
            busy: 0,
            ours: 0,
        };
        // A window of 100 ticks per CPU; we used 100, the others `o`.
        let at = |o: u64| Sample {
            total: 100 * n,
            busy: 100 + o,
            ours: 100,
        };
        assert!(!judge(a, at(0)));
        assert!(!judge(a, at(40)));
        assert!(judge(a, at(50)));
        assert!(judge(a, at(100)));
    }

    #[test]
    fn the_live_counters_parse_here() {
        if cfg!(target_os = "linux") {
            assert!(sample().is_some());
        }
        let mut w = CpuWatch::default();
        let _ = w.others_busy();
    }
}
