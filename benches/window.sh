#!/usr/bin/env bash
# The real window's start-up, memory and idle CPU under Xvfb, beside an empty eframe window
# built from this crate (examples/empty_window.rs) in the same run:
#   start   ms from exec to the window mapped (xdotool), median of RUNS; the two windows
#           start in turns
#   rss/pss MB resident and proportional set size 5 s after start (/proc/PID/smaps_rollup),
#           median of RUNS
#   idle    CPU ticks (1/100 s) used in the next 5 s with nothing happening, largest of RUNS
# Needs: apt-get install -y xvfb xdotool. Usage: benches/window.sh [RUNS] (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

# Two builds: an example builds with the dev-dependencies, whose features (wgpu, through
# egui_kittest) would otherwise go into the app's binary too.
cargo build --release --quiet --bin socket-tester
cargo build --release --quiet --example empty_window
APP=target/release/socket-tester
EMPTY=target/release/examples/empty_window

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
largest() { sort -n | tail -1; }

# One start of $1: prints "start_ms rss_kb pss_kb idle_ticks".
measure_once() {
  local bin=$1 home xvfb pid t0 t1 ticks0 ticks1
  home=$(mktemp -d)
  # A display of its own each time: the last start's Xvfb may still be shutting down.
  local DISPLAY_NUMBER=$((200 + RANDOM % 500))
  while [ -e "/tmp/.X$DISPLAY_NUMBER-lock" ]; do DISPLAY_NUMBER=$((200 + RANDOM % 500)); done
  Xvfb ":$DISPLAY_NUMBER" -screen 0 1280x800x24 >/dev/null 2>&1 &
  xvfb=$!
  # Ready when it answers (a fixed pause was sometimes too short, and the window then failed).
  local tries=0
  until DISPLAY=":$DISPLAY_NUMBER" xdotool getdisplaygeometry >/dev/null 2>&1; do
    if [ "$tries" -gt 500 ]; then
      echo "error: Xvfb did not start on :$DISPLAY_NUMBER" >&2
      exit 1
    fi
    tries=$((tries + 1))
    sleep 0.01
  done
  sleep 0.5
  t0=$(date +%s%N)
  HOME=$home DISPLAY=":$DISPLAY_NUMBER" "$bin" >/dev/null 2>&1 &
  pid=$!
  # Polled every 5 ms (xdotool's own --sync polls every half second), for 30 s at most.
  local polls=0
  until DISPLAY=":$DISPLAY_NUMBER" xdotool search --onlyvisible --pid "$pid" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$polls" -gt 6000 ]; then
      echo "error: $bin opened no window on :$DISPLAY_NUMBER" >&2
      kill "$pid" "$xvfb" 2>/dev/null || true
      exit 1
    fi
    polls=$((polls + 1))
    sleep 0.005
  done
  t1=$(date +%s%N)
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
  echo "$(((t1 - t0) / 1000000)) $rss $pss $((ticks1 - ticks0))"
}

# Prints "start_ms rss_mb pss_mb idle_ticks" over the samples on standard input.
summarise() {
  local samples
  samples=$(cat)
  echo "$(echo "$samples" | awk '{ print $1 }' | median)" \
    "$(echo "$samples" | awk '{ print $2 / 1024 }' | median)" \
    "$(echo "$samples" | awk '{ print $3 / 1024 }' | median)" \
    "$(echo "$samples" | awk '{ print $4 }' | largest)"
}

# The two windows start in turns (empty, app, empty, app, …), so the machine's swings
# during the run fall on both alike.
empty_samples=""
app_samples=""
for _ in $(seq "$RUNS"); do
  empty_samples+="$(measure_once "$EMPTY")"$'\n'
  app_samples+="$(measure_once "$APP")"$'\n'
done
read -r empty_start empty_rss empty_pss empty_idle < <(printf '%s' "$empty_samples" | summarise)
read -r app_start app_rss app_pss app_idle < <(printf '%s' "$app_samples" | summarise)
printf '%-14s %10s %10s %10s %12s\n' "window" "start ms" "RSS MB" "PSS MB" "idle ticks"
printf '%-14s %10s %10.1f %10.1f %12s\n' "empty eframe" "$empty_start" "$empty_rss" "$empty_pss" "$empty_idle"
printf '%-14s %10s %10.1f %10.1f %12s\n' "socket-tester" "$app_start" "$app_rss" "$app_pss" "$app_idle"
awk -v s="$app_start" -v es="$empty_start" -v p="$app_pss" -v ep="$empty_pss" \
  'BEGIN { printf "ratio app/empty: start %.2f, PSS %.2f\n", s / es, p / ep }'
printf 'release binary: %s bytes\n' "$(stat -c %s "$APP")"
