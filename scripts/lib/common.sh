# shellcheck shell=bash
# Shared helpers for the scripts in scripts/. Source this file. It sets no shell options.
#
# Variables it sets:
#   CONSORT_ROOT       the repository root (the folder that contains scripts/)
#   CONSORT_STATE_DIR  data, logs and pid files of local servers (default: $CONSORT_ROOT/build/var)
#   CONSORT_RUN_DIR    pid and lock files ($CONSORT_STATE_DIR/run)

CONSORT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Made absolute, so a relative setting names the same folder for a stop from another directory.
CONSORT_STATE_DIR="$(realpath -m -- "${CONSORT_STATE_DIR:-$CONSORT_ROOT/build/var}")"
CONSORT_RUN_DIR="$CONSORT_STATE_DIR/run"
export CONSORT_ROOT CONSORT_STATE_DIR CONSORT_RUN_DIR

# File descriptors of the locks that with_lock holds. start_process closes them in the process
# it starts, because a long-running server that inherited one would hold the lock until it exits.
CONSORT_LOCK_FDS=()

info() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die() {
  printf '%s: error: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Prints the last LINES lines of FILE to stderr, indented, if the file exists.
print_log_tail() {
  local file=$1 lines=${2:-20}
  [[ -s $file ]] || return 0
  printf '%s: last %s lines of %s:\n' "${0##*/}" "$lines" "$file" >&2
  tail -n "$lines" -- "$file" | sed 's/^/    /' >&2
}

# Dies unless the value of the environment variable NAME is a TCP port number (1 to 65535).
require_port() {
  local name=$1
  local value=${!name}
  if ! [[ $value =~ ^[1-9][0-9]*$ ]] || ((value < 1 || value > 65535)); then
    die "$name=$value is not a valid TCP port (expected 1 to 65535)"
  fi
}

# Dies unless the value of the environment variable NAME is a whole number of seconds above 0.
require_seconds() {
  local name=$1
  local value=${!name}
  if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
    die "$name=$value is not a valid number of seconds (expected a whole number above 0)"
  fi
}

# Succeeds if something accepts TCP connections on 127.0.0.1:PORT. A listener on 0.0.0.0 counts
# too, because it would also take the connections meant for 127.0.0.1.
port_accepts_connections() {
  local port=$1
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash.
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
}

# Dies with the port and the variable that sets it if the port on 127.0.0.1 is already taken.
require_free_port() {
  local port=$1 variable=$2
  if port_accepts_connections "$port"; then
    die "port $port on 127.0.0.1 is already in use. Stop the process that listens there" \
      "(ss -ltnp 'sport = :$port' shows it) or set $variable to a free port"
  fi
}

# Runs COMMAND... while holding an exclusive lock on $CONSORT_RUN_DIR/NAME.lock, so that two
# concurrent starts or stops of the same server cannot both act on it.
with_lock() {
  local name=$1 fd status
  shift
  mkdir -p "$CONSORT_RUN_DIR"
  exec {fd}>>"$CONSORT_RUN_DIR/$name.lock"
  if ! flock -w "${CONSORT_LOCK_TIMEOUT:-120}" "$fd"; then
    die "timed out after ${CONSORT_LOCK_TIMEOUT:-120} s waiting for $CONSORT_RUN_DIR/$name.lock" \
      "because another start or stop of $name is still running"
  fi
  CONSORT_LOCK_FDS+=("$fd")
  status=0
  "$@" || status=$?
  unset 'CONSORT_LOCK_FDS[-1]'
  exec {fd}>&-
  return "$status"
}

pid_file_path() {
  printf '%s/%s.pid\n' "$CONSORT_RUN_DIR" "$1"
}

# Prints the start time of process PID in clock ticks since boot (field 22 of /proc/PID/stat).
# A pid file stores it next to the pid, so a pid that the kernel has reused for another process
# is not mistaken for the recorded server. Fails if PID does not exist or has fully exited.
process_start_time() {
  local pid=$1 stat fields tasks
  { stat=$(<"/proc/$pid/stat"); } 2>/dev/null || return 1
  # The command name (field 2) is in parentheses and may contain spaces, so split after it.
  # fields[0] is then the state (field 3) and fields[19] the start time (field 22).
  read -ra fields <<<"${stat##*) }"
  if [[ ${fields[0]} == [ZX] ]]; then
    # An exited server stays a zombie until its parent reaps it, which is init once the script
    # that started it has exited. The main thread of a multi-threaded process such as the JVM
    # is a zombie while the other threads still exit and hold the sockets open, so the process
    # counts as running until it is down to that one thread.
    tasks=("/proc/$pid/task"/*)
    ((${#tasks[@]} > 1)) || return 1
  fi
  printf '%s\n' "${fields[19]}"
}

# Prints the pid recorded for NAME and succeeds if that process is still alive. The pid file has
# the pid on its first line and the process start time on its second.
running_pid() {
  local name=$1 pid_file pid start_time
  pid_file=$(pid_file_path "$name")
  [[ -f $pid_file ]] || return 1
  { read -r pid && read -r start_time; } <"$pid_file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(process_start_time "$pid" 2>/dev/null) == "$start_time" ]] || return 1
  printf '%s\n' "$pid"
}

# Starts COMMAND... in the background in its own session, with stdin from /dev/null and stdout
# and stderr appended to LOGFILE, and records its pid in $CONSORT_RUN_DIR/NAME.pid. Does nothing
# if the recorded process is alive. The caller waits for readiness itself and can read the pid
# with running_pid.
#
#   start_process NAME LOGFILE -- COMMAND [ARGUMENT...]
start_process() {
  local name=$1 log_file=$2
  [[ ${3:-} == -- && $# -ge 4 ]] || die "usage: start_process NAME LOGFILE -- COMMAND [ARGUMENT...]"
  shift 3

  local pid pid_file new_pid_file start_time waited
  if pid=$(running_pid "$name"); then
    info "$name is already running (pid $pid)"
    return 0
  fi

  pid_file=$(pid_file_path "$name")
  new_pid_file="$pid_file.new"
  mkdir -p "$CONSORT_RUN_DIR" "$(dirname "$log_file")"
  rm -f "$pid_file" "$new_pid_file"

  # The inner bash writes its own pid and then execs the command, so the file contains the pid of
  # the command itself even where setsid has to fork (when the caller runs with job control).
  # shellcheck disable=SC2016 # $$ and $1 are expanded by the inner bash.
  (
    for fd in "${CONSORT_LOCK_FDS[@]}"; do
      exec {fd}>&-
    done
    exec setsid bash -c 'echo "$$" >"$1" && shift && exec "$@"' consort-start "$new_pid_file" "$@" \
      </dev/null >>"$log_file" 2>&1
  ) &
  # A caller that keeps running, such as a script that starts several servers, would otherwise
  # report the job as Killed or Done when the server exits.
  disown

  for ((waited = 0; waited < 100; waited++)); do
    [[ -s $new_pid_file ]] && break
    sleep 0.05
  done
  [[ -s $new_pid_file ]] || die "$name did not start within 5 s. See $log_file"
  pid=$(<"$new_pid_file")
  if ! start_time=$(process_start_time "$pid"); then
    rm -f "$new_pid_file"
    print_log_tail "$log_file"
    die "$name (pid $pid) exited right after it started. See $log_file"
  fi
  printf '%s\n%s\n' "$pid" "$start_time" >"$new_pid_file"
  mv -f "$new_pid_file" "$pid_file"
  info "started $name (pid $pid), output in $log_file"
}

# Stops the process recorded for NAME: SIGTERM, then SIGKILL if it is still alive after
# TIMEOUT seconds (default 30). Removes the pid file. Succeeds if NAME was not running.
stop_process() {
  local name=$1 timeout=${2:-30}
  local pid pid_file waited
  pid_file=$(pid_file_path "$name")
  if ! pid=$(running_pid "$name"); then
    if [[ -f $pid_file ]]; then
      rm -f "$pid_file"
      info "$name is not running (removed the stale pid file $pid_file)"
    else
      info "$name is not running"
    fi
    return 0
  fi

  info "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((waited = 0; waited < timeout * 10; waited++)); do
    running_pid "$name" >/dev/null || break
    sleep 0.1
  done
  if running_pid "$name" >/dev/null; then
    info "$name (pid $pid) is still running ${timeout} s after SIGTERM, so it gets SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((waited = 0; waited < 100; waited++)); do
      running_pid "$name" >/dev/null || break
      sleep 0.1
    done
    running_pid "$name" >/dev/null && die "$name (pid $pid) is still running after SIGKILL"
  fi
  rm -f "$pid_file"
  info "stopped $name"
}

# Cleans up after a start whose readiness check failed: stops NAME if it is still running and
# otherwise removes its pid file without a message, since the caller has explained the failure.
stop_failed_start() {
  local name=$1
  if running_pid "$name" >/dev/null; then
    stop_process "$name" 10
  else
    rm -f "$(pid_file_path "$name")"
  fi
}

# Prints whether NAME is running and returns the LSB status code: 0 running, 1 not running but
# a stale pid file is left, 3 not running.
process_status() {
  local name=$1 pid
  if pid=$(running_pid "$name"); then
    printf '%s is running (pid %s)\n' "$name" "$pid"
    return 0
  fi
  if [[ -f $(pid_file_path "$name") ]]; then
    printf '%s is not running (stale pid file %s)\n' "$name" "$(pid_file_path "$name")"
    return 1
  fi
  printf '%s is not running\n' "$name"
  return 3
}
