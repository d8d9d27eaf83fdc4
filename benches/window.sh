#!/usr/bin/env bash
# The real window's start-up, memory and idle CPU under Xvfb, beside an empty eframe window
# built from this crate (examples/empty_window.rs) in the same run:
#   start   ms from exec to the window mapped (xdotool), median of RUNS; the two windows
#           start in turns
#   cpu     ms of processor time the window's threads had used when it was mapped
#           (/proc/PID/task/*/schedstat: threads that already ended are not counted), median
#           of RUNS; it leaves out the set-up's waits (X, GL, the loader), which swing by
#           tens of ms from one start to the next in both windows alike
#   rss/pss MB resident and proportional set size 5 s after start (/proc/PID/smaps_rollup),
#           median of RUNS
#   idle    CPU ticks (1/100 s) used in the next 5 s with nothing happening, largest of RUNS
# Needs: apt-get install -y xvfb xdotool. Usage: benches/window.sh [RUNS] (default 11).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-11}

# Two builds: an example builds with the dev-dependencies, whose features (wgpu, through
# egui_kittest) would otherwise go into the app's binary too.
cargo build --release --quiet --bin socket-tester
cargo build --release --quiet --example empty_window
APP=target/release/socket-tester
EMPTY=target/release/examples/empty_window

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
largest() { sort -n | tail -1; }

# One start of $1: prints "start_ms rss_kb pss_kb idle_ticks cpu_ms".
measure_once() {
  local bin=$1 home xvfb pid t0 t1 ticks0 ticks1
  home=$(mktemp -d)
  # A display of its own each time, chosen by Xvfb (-displayfd): it writes the number once
  # it takes connections, so no number is taken twice and no poll has to guess when it is
  # ready. -noreset: by default it resets whenever its last client leaves, and the 5 ms
  # polls below connect and leave while the window starts. With random numbers and a
  # readiness poll, a start now and then failed to open the display (XOpenDisplayFailed),
  # the empty window's as often as the app's (docs/PERFORMANCE.md).
  local DISPLAY_NUMBER
  Xvfb -displayfd 3 -noreset -screen 0 1280x800x24 3>"$home/display" >/dev/null 2>&1 &
  xvfb=$!
  local tries=0
  until [ -s "$home/display" ]; do
    if [ "$tries" -gt 500 ] || ! kill -0 "$xvfb" 2>/dev/null; then
      echo "error: Xvfb did not start" >&2
      exit 1
    fi
    tries=$((tries + 1))
    sleep 0.01
  done
  DISPLAY_NUMBER=$(head -n 1 "$home/display")
  sleep 0.5
  t0=$(date +%s%N)
  HOME=$home DISPLAY=":$DISPLAY_NUMBER" "$bin" >/dev/null 2>"$home/stderr" &
  pid=$!
  # Polled every 5 ms (xdotool's own --sync polls every half second), for 30 s at most.
  local polls=0
  until DISPLAY=":$DISPLAY_NUMBER" xdotool search --onlyvisible --pid "$pid" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$polls" -gt 6000 ]; then
      local ended="still running after 30 s"
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" && ended="exited with 0" || ended="exited with $?"
      fi
      echo "error: $bin opened no window on :$DISPLAY_NUMBER ($ended); its stderr:" >&2
      tail -n 20 "$home/stderr" >&2
      kill "$pid" "$xvfb" 2>/dev/null || true
      exit 1
    fi
    polls=$((polls + 1))
    sleep 0.005
  done
  t1=$(date +%s%N)
  local cpu_ms
  # A thread may end between the listing and the read.
  cpu_ms=$({ cat "/proc/$pid/task/"*/schedstat 2>/dev/null || true; } |
    awk '{ ns += $1 } END { print int(ns / 1000000) }')
  sleep 5
  local rss pss
  rss=$(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup")
  pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
  ticks0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  sleep 5
  ticks1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  wait "$xvfb" 2>/dev/null || true
  rm -rf "$home"
  echo "$(((t1 - t0) / 1000000)) $rss $pss $((ticks1 - ticks0)) $cpu_ms"
}

# Prints "start_ms rss_mb pss_mb idle_ticks cpu_ms" over the samples on standard input.
summarise() {
  local samples
  samples=$(cat)
  echo "$(echo "$samples" | awk '{ print $1 }' | median)" \
    "$(echo "$samples" | awk '{ print $2 / 1024 }' | median)" \
    "$(echo "$samples" | awk '{ print $3 / 1024 }' | median)" \
    "$(echo "$samples" | awk '{ print $4 }' | largest)" \
    "$(echo "$samples" | awk '{ print $5 }' | median)"
}

# The two windows start in turns (empty, app, empty, app, …), so the machine's swings
# during the run fall on both alike.
empty_samples=""
app_samples=""
for _ in $(seq "$RUNS"); do
  empty_samples+="$(measure_once "$EMPTY")"$'\n'
  app_samples+="$(measure_once "$APP")"$'\n'
done
read -r empty_start empty_rss empty_pss empty_idle empty_cpu < <(printf '%s' "$empty_samples" | summarise)
read -r app_start app_rss app_pss app_idle app_cpu < <(printf '%s' "$app_samples" | summarise)
printf '%-14s %10s %10s %10s %10s %12s\n' "window" "start ms" "cpu ms" "RSS MB" "PSS MB" "idle ticks"
printf '%-14s %10s %10s %10.1f %10.1f %12s\n' "empty eframe" "$empty_start" "$empty_cpu" "$empty_rss" "$empty_pss" "$empty_idle"
printf '%-14s %10s %10s %10.1f %10.1f %12s\n' "socket-tester" "$app_start" "$app_cpu" "$app_rss" "$app_pss" "$app_idle"
awk -v s="$app_start" -v es="$empty_start" -v c="$app_cpu" -v ec="$empty_cpu" -v p="$app_pss" -v ep="$empty_pss" \
  'BEGIN { printf "ratio app/empty: start %.2f, cpu %.2f, PSS %.2f\n", s / es, c / ec, p / ep }'
printf 'release binary: %s bytes\n' "$(stat -c %s "$APP")"
