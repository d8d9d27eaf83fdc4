//! `socket-tester bench --quick --json` prints every figure, each finite. No figure is judged
//! here: speed is measured by the bench itself (docs/PERFORMANCE.md), never asserted on time.

use std::process::Command;

#[test]
fn quick_bench_prints_every_figure() {
    let output = Command::new(env!("CARGO_BIN_EXE_socket-tester"))
        .args(["bench", "--quick", "--json"])
        .output()
        .expect("run the bench");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON object per line"))
        .collect();
    let names: Vec<&str> = figures
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default())
        .collect();
    let expected = [
        "tcp_ingest",
        "udp_ingest",
        "udp_loss",
        "udp_kernel_drops",
        "udp_lossless_rate",
        "echo_rtt_p50",
        "echo_rtt_p99",
        "log_frame",
        "flood_frame_p99",
        "log_memory",
        "clients",
        "idle_wakeups",
        "idle_loop_turns",
        "left_behind_threads",
        "left_behind_descriptors",
        "left_behind_heap_bytes",
    ];
    assert_eq!(names, expected);
    for figure in &figures {
        for field in ["value", "baseline", "ratio"] {
            let number = figure[field].as_f64().unwrap_or(f64::NAN);
            assert!(number.is_finite(), "{figure}: {field}");
        }
        assert!(figure["unit"].is_string(), "{figure}");
    }
    // Every baseline is measured in the same run unless the report says it is fixed.
    let fixed: Vec<&str> = figures
        .iter()
        .filter(|f| f["baseline_is"] == "fixed")
        .map(|f| f["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        fixed,
        [
            "log_memory",
            "clients",
            "idle_wakeups",
            "idle_loop_turns",
            "left_behind_threads",
            "left_behind_descriptors",
            "left_behind_heap_bytes"
        ]
    );
    // Each measurement ends with the process as it started (on Linux, where it is counted).
    for name in ["left_behind_threads", "left_behind_descriptors"] {
        let left = figures.iter().find(|f| f["name"] == name).unwrap();
        assert_eq!(left["value"].as_f64(), Some(0.0), "{left}");
    }
    assert!(
        figures
            .iter()
            .all(|f| f["baseline_is"] == "fixed" || f["baseline_is"] == "measured")
    );
    let memory = figures.iter().find(|f| f["name"] == "log_memory").unwrap();
    assert!(
        memory["value"].as_f64().unwrap() > 64.0,
        "memory was measured: {memory}"
    );
}
