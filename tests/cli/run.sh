#!/usr/bin/env bash
# run.sh: the runner of the data-driven CLI suite.  It reads case files
# (tests/cli/cases/*.case, format in tests/cli/README.md), runs each against
# a fresh temporary store and work directory, and prints PASS or FAIL per
# case (with the step, command, failed check and output on FAIL) and a
# summary.  Exit status: 0 when every case passed, 1 otherwise, 2 on
# misuse.  Only bash and POSIX tools (plus gzip) are used.
#
#   run.sh FAIRDEX CLI_DIR [CASE...]       CASE: a name (010-help), a file
#                                          name or a path; default: all
#   run.sh --count N FAIRDEX CLI_DIR       check there are N case files (the
#                                          meson build registered N tests)
set -u

count_mode=""
if [ "${1:-}" = "--count" ]; then
  count_mode=${2:-}
  shift 2 || true
fi
if [ $# -lt 2 ]; then
  echo "usage: run.sh [--count N] FAIRDEX CLI_DIR [CASE...]" >&2
  exit 2
fi

abspath() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$(pwd)/$1" ;;
  esac
}

FAIRDEX=$(abspath "$1")
CLI_DIR=$(cd "$2" && pwd) || exit 2
DATA=$CLI_DIR/data
shift 2

if [ ! -x "$FAIRDEX" ]; then
  echo "run.sh: $FAIRDEX is not an executable" >&2
  exit 2
fi

if [ -n "$count_mode" ]; then
  n=0
  for f in "$CLI_DIR"/cases/*.case; do
    [ -e "$f" ] && n=$((n + 1))
  done
  if [ "$n" != "$count_mode" ]; then
    echo "FAIL case-list: $n case files but the build registered" \
      "$count_mode tests; re-run 'meson setup --reconfigure BUILDDIR'"
    exit 1
  fi
  echo "PASS case-list: $n case files, all registered"
  exit 0
fi

# Temporary directories of this run, removed on exit.
TOP=$(mktemp -d "${TMPDIR:-/tmp}/fairdex-cli.XXXXXX") || exit 2
trap 'rm -rf "$TOP"' EXIT
trap 'exit 130' INT TERM

# Substitute @DATA@, @WORK@ and @STORE@ in $1.
subst() {
  local s=$1
  s=${s//@DATA@/$DATA}
  s=${s//@WORK@/$WORK}
  s=${s//@STORE@/$STORE}
  printf '%s' "$s"
}

# Print the first lines of a file, indented, for a failure report.
show() {
  local label=$1 file=$2
  if [ -s "$file" ]; then
    echo "    --- $label:"
    head -n 20 "$file" | sed 's/^/    | /'
    if [ "$(wc -l <"$file")" -gt 20 ]; then
      echo "    | ..."
    fi
  else
    echo "    --- $label: (empty)"
  fi
}

# State of the case being run.
CASE=""
WORK=""
STORE=""
ERRORS=""   # failure report of this case, empty while it passes
STEP_NO=0
STEP_ARGS=""
STEP_CHECKS=()
IN_STEP=0
ENV_OPS=()  # env/unset directives of the step being run

fail() {
  ERRORS="${ERRORS}  $*"$'\n'
}

# Run fairdex with the words of $1 in the case's work directory, with
# FAIRDEX_DB pointing at the case's store, stdin from $2 (default
# /dev/null) and the env/unset directives in the array ENV_OPS.
# Output goes to $WORK/.out and $WORK/.err; sets RC.
run_fairdex() {
  local words=$1 input=${2:-/dev/null}
  local -a argv=()
  read -r -a argv <<<"$(subst "$words")"
  (
    cd "$WORK" || exit 125
    export FAIRDEX_DB="$STORE"
    unset FAIRDEX_MAP_SIZE
    # A fresh store stays empty: the shipped vocabularies are not installed
    # unless a case says `unset FAIRDEX_VOCABULARIES` (the 19x cases).
    export FAIRDEX_VOCABULARIES=none
    for op in "${ENV_OPS[@]+"${ENV_OPS[@]}"}"; do
      case $op in
        unset\ *) unset "${op#unset }" ;;
        *)
          # shellcheck disable=SC2163  # $op is NAME=VALUE: export that
          export "$op" ;;
      esac
    done
    if command -v timeout >/dev/null 2>&1; then
      exec timeout 60 "$FAIRDEX" "${argv[@]+"${argv[@]}"}"
    fi
    exec "$FAIRDEX" "${argv[@]+"${argv[@]}"}"
  ) <"$input" >"$WORK/.out" 2>"$WORK/.err"
  RC=$?
}

# Run the collected step (args line plus its directives) and check it.
flush_step() {
  [ "$IN_STEP" = 1 ] || return 0
  IN_STEP=0
  STEP_NO=$((STEP_NO + 1))
  local input=/dev/null expect_exit=0 entry key value
  local -a checks=()
  ENV_OPS=()
  for entry in "${STEP_CHECKS[@]+"${STEP_CHECKS[@]}"}"; do
    key=${entry%%$'\t'*}
    value=$(subst "${entry#*$'\t'}")
    case $key in
      stdin) input=$DATA/$value ;;
      stdin-gz)
        if ! gzip -c "$DATA/$value" >"$WORK/.stdin.gz"; then
          fail "step $STEP_NO: cannot gzip $value"
          return
        fi
        input=$WORK/.stdin.gz
        ;;
      env) ENV_OPS+=("$value") ;;
      unset) ENV_OPS+=("unset $value") ;;
      exit) expect_exit=$value ;;
      *) checks+=("$entry") ;;
    esac
  done
  if [ ! -r "$input" ]; then
    fail "step $STEP_NO: no stdin file $input"
    return
  fi
  run_fairdex "$STEP_ARGS" "$input"
  local before=$ERRORS
  if [ "$RC" != "$expect_exit" ]; then
    fail "expected exit $expect_exit, got $RC"
  fi
  for entry in "${checks[@]+"${checks[@]}"}"; do
    key=${entry%%$'\t'*}
    value=$(subst "${entry#*$'\t'}")
    case $key in
      stdout-contains)
        grep -qF -- "$value" "$WORK/.out" ||
          fail "stdout does not contain: $value" ;;
      stdout-not-contains)
        ! grep -qF -- "$value" "$WORK/.out" ||
          fail "stdout contains: $value" ;;
      stderr-contains)
        grep -qF -- "$value" "$WORK/.err" ||
          fail "stderr does not contain: $value" ;;
      stderr-not-contains)
        ! grep -qF -- "$value" "$WORK/.err" ||
          fail "stderr contains: $value" ;;
      stdout-empty)
        [ ! -s "$WORK/.out" ] || fail "stdout is not empty" ;;
      stderr-empty)
        [ ! -s "$WORK/.err" ] || fail "stderr is not empty" ;;
      stdout-lines)
        [ "$(wc -l <"$WORK/.out" | tr -d ' ')" = "$value" ] ||
          fail "stdout has $(wc -l <"$WORK/.out" | tr -d ' ') lines," \
            "expected $value" ;;
      stdout-file)
        if [ ! -f "$CLI_DIR/$value" ]; then
          fail "no expected file $value"
        elif ! diff -u "$CLI_DIR/$value" "$WORK/.out" >"$WORK/.diff"; then
          fail "stdout differs from $value (diff expected actual):"
          ERRORS="${ERRORS}$(head -n 30 "$WORK/.diff" | sed 's/^/    /')"$'\n'
        fi ;;
      stdout-sorted-file)
        if [ ! -f "$CLI_DIR/$value" ]; then
          fail "no expected file $value"
        else
          LC_ALL=C sort "$CLI_DIR/$value" >"$WORK/.want.sorted"
          LC_ALL=C sort "$WORK/.out" >"$WORK/.out.sorted"
          if ! diff -u "$WORK/.want.sorted" "$WORK/.out.sorted" >"$WORK/.diff"; then
            fail "sorted stdout differs from sorted $value (diff expected actual):"
            ERRORS="${ERRORS}$(head -n 30 "$WORK/.diff" | sed 's/^/    /')"$'\n'
          fi
        fi ;;
      file-equals)
        local got=${value%% *} want=${value#* }
        if [ ! -f "$WORK/$got" ]; then
          fail "file $got was not written"
        elif ! diff -u "$CLI_DIR/$want" "$WORK/$got" >"$WORK/.diff"; then
          fail "file $got differs from $want (diff expected actual):"
          ERRORS="${ERRORS}$(head -n 30 "$WORK/.diff" | sed 's/^/    /')"$'\n'
        fi ;;
      path-exists)
        [ -e "$WORK/$value" ] || fail "path $value does not exist" ;;
      path-absent)
        [ ! -e "$WORK/$value" ] || fail "path $value exists" ;;
      *) fail "unknown check '$key'" ;;
    esac
  done
  if [ "$ERRORS" != "$before" ]; then
    ERRORS="${before}  step $STEP_NO: fairdex $(subst "$STEP_ARGS")"$'\n'"${ERRORS#"$before"}"
    ERRORS="${ERRORS}$(show "exit status $RC; stdout" "$WORK/.out")"$'\n'
    ERRORS="${ERRORS}$(show stderr "$WORK/.err")"$'\n'
  fi
}

# A setup line: run fairdex with these words; it must exit 0.
run_setup() {
  ENV_OPS=()
  run_fairdex "$1"
  if [ "$RC" != 0 ]; then
    fail "setup 'fairdex $(subst "$1")' exited $RC"
    ERRORS="${ERRORS}$(show stderr "$WORK/.err")"$'\n'
  fi
}

# Run one case file; returns 0 if it passed.
run_case() {
  local file=$1 lineno=0 line key value
  CASE=$(basename "$file" .case)
  WORK=$TOP/$CASE
  STORE=$WORK/store
  ERRORS=""
  STEP_NO=0
  STEP_CHECKS=()
  IN_STEP=0
  local any_step=0
  rm -rf "$WORK"
  mkdir -p "$WORK"
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      '' | '#'*) continue ;;
    esac
    key=${line%%:*}
    value=${line#*:}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    if [ "$key" = "$line" ]; then
      fail "$file:$lineno: no ':' in '$line'"
      continue
    fi
    case $key in
      setup)
        flush_step
        run_setup "$value" ;;
      args)
        flush_step
        STEP_ARGS=$value
        STEP_CHECKS=()
        IN_STEP=1
        any_step=1 ;;
      stdin | stdin-gz | env | unset | exit | stdout-contains | \
        stdout-not-contains | stderr-contains | stderr-not-contains | \
        stdout-empty | stderr-empty | stdout-lines | stdout-file | \
        stdout-sorted-file | file-equals | path-exists | path-absent)
        if [ "$IN_STEP" != 1 ]; then
          fail "$file:$lineno: '$key' before any 'args:' line"
        else
          STEP_CHECKS+=("$key"$'\t'"$value")
        fi ;;
      *) fail "$file:$lineno: unknown directive '$key'" ;;
    esac
  done <"$file"
  flush_step
  [ "$any_step" = 1 ] || fail "$file: no 'args:' line"
  if [ -z "$ERRORS" ]; then
    echo "PASS $CASE"
    rm -rf "$WORK"
    return 0
  fi
  echo "FAIL $CASE"
  printf '%s' "$ERRORS"
  return 1
}

# The cases to run.
cases=()
if [ $# -eq 0 ]; then
  for f in "$CLI_DIR"/cases/*.case; do
    [ -e "$f" ] && cases+=("$f")
  done
else
  for c in "$@"; do
    if [ -f "$c" ]; then
      cases+=("$c")
    elif [ -f "$CLI_DIR/cases/$c" ]; then
      cases+=("$CLI_DIR/cases/$c")
    elif [ -f "$CLI_DIR/cases/$c.case" ]; then
      cases+=("$CLI_DIR/cases/$c.case")
    else
      echo "run.sh: no case '$c'" >&2
      exit 2
    fi
  done
fi
if [ ${#cases[@]} -eq 0 ]; then
  echo "run.sh: no cases in $CLI_DIR/cases" >&2
  exit 2
fi

passed=0
failed=0
failed_names=""
for f in "${cases[@]}"; do
  if run_case "$f"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names="$failed_names $(basename "$f" .case)"
  fi
done
echo "cli: $passed passed, $failed failed, ${#cases[@]} cases"
if [ "$failed" -gt 0 ]; then
  echo "failed:$failed_names"
  exit 1
fi
exit 0
