//! The real binary in a real terminal (tmux): type a prompt, see " Paris" among the candidates
//! with a percentage, step once, quit, and find the terminal restored.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("running tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Polls the screen until `pred` holds (fails after `secs`).
    fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn type_prompt_see_paris_step_and_quit() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (scripts/test installs it when it can)");
        return;
    }
    let model = common::model_path();
    let bin = env!("CARGO_BIN_EXE_tokenscope");
    let tmux = Tmux {
        socket: format!("tokenscope-e2e-{}", std::process::id()),
    };
    // After the app exits, print its status and whether the tty is back in canonical mode.
    let script = format!(
        "LANG=en_US.UTF-8 '{bin}' --model '{}' --lang en; echo \"EXIT=$?\"; \
         stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; \
         echo; sleep 60",
        model.display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    // The editor is focused and the model loads while we type.
    tmux.wait_for("the playground to start", 30, |s| s.contains("Prompt"));
    tmux.keys(&["-l", "The capital of France is"]);
    let s = tmux.wait_for("' Paris' with a percentage", 90, |s| {
        s.lines().any(|l| l.contains("·Paris") && l.contains('%'))
    });
    assert!(s.contains("The capital of France is"), "{s}");
    // Explore mode, then one step: the generation pane gains the sampled token.
    tmux.keys(&["Escape"]);
    tmux.wait_for("explore mode", 10, |s| s.contains("EXPLORE"));
    tmux.keys(&["Space"]);
    tmux.wait_for("a dice roll", 30, |s| s.contains("u = "));
    // With generated text, q asks first; y quits.
    tmux.keys(&["q"]);
    tmux.wait_for("the quit question", 10, |s| s.contains("QUIT?"));
    tmux.keys(&["y"]);
    // Wait for the line `stty` prints after the exit status too, not only for `EXIT=`.
    let s = tmux.wait_for("the app to exit", 20, |s| {
        s.contains("EXIT=") && s.contains("icanon")
    });
    assert!(s.contains("EXIT=0"), "non-zero exit:\n{s}");
    // The alternate screen is gone (no pane borders left) and the tty is cooked again.
    assert!(!s.contains("┌ Prompt"), "alternate screen not left:\n{s}");
    assert!(
        s.contains("icanon") && !s.contains("-icanon"),
        "raw mode not restored:\n{s}"
    );
    assert!(
        s.contains("echo") && !s.contains("-echo"),
        "echo not restored:\n{s}"
    );
}
