#!/usr/bin/env bash
# Protocol benchmarks: Pillarbox (the Karaf distribution) against Dovecot 2.3 (IMAP, POP3, LMTP) and Postfix 3.7
# (SMTP, delivering to Dovecot over LMTP), all on 127.0.0.1 ports >= 20000 with throwaway configurations in a temp
# dir. Needs root (Dovecot's mail processes run as nobody), Debian's dovecot-imapd, dovecot-pop3d, dovecot-lmtpd
# and postfix packages (the system services need not and should not run), Java 17 and Maven.
#
#   benchmarks/protocols/run.sh                      # everything, results in $WORK/results.md (printed at the end)
#
# Settings (environment):
#   BASE_PORT=42100   Pillarbox uses BASE_PORT+0..99, Dovecot +100..199, Postfix +200..299
#   MESSAGES=200      messages (about 4 KB each) in every user's INBOX, the same files on both servers
#   USERS=8           users u1..uN@example.org; client i of a scenario logs in as user i mod N (POP3 locks the drop)
#   CONC="1 8"        concurrency levels for the IMAP, POP3 and SMTP scenarios
#   WARMUP=5 DURATION=20   seconds per scenario: warm-up (not recorded), then measured
#   IDLE="1000 5000"  numbers of idle IMAP sessions for the memory scenario
#   PASSWORD_SCHEME=SHA512-CRYPT   the hash in both servers' users files (same line in both); ARGON2ID keeps what
#                     mail:user-add wrote (Argon2id, 32 MiB, 3 passes), which then dominates every LOGIN
#   SCENARIOS="imap pop3 smtp idle"   smtpn: SMTP as smtp, client i sending to sink<i mod USERS>@example.org
#   REPEAT=2          every load scenario runs REPEAT times per server, alternating servers
#   BUILD_DISTRO=0    1: rebuild karaf-distro (mvn install -pl karaf-distro -am -DskipTests) even if the archive exists
#   KEEP=0            1: leave the temp dir (logs, configurations, Maildirs) in place
#   DOVECOT_LOGIN=security   Dovecot's login processes as Debian ships them: one process per connection
#                     (service_count = 1); "performance": long-lived ones (service_count = 0, process_min_avail =
#                     cores), Dovecot's high-performance mode
#   PROFILE=0         1: record every Pillarbox load scenario with JFR (settings=profile; this costs a little
#                     throughput) and append the hottest frames, fsyncs and lock waits to the results
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BASE_PORT=${BASE_PORT:-42100}
MESSAGES=${MESSAGES:-200}
USERS=${USERS:-8}
CONC=${CONC:-"1 8"}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-20}
IDLE=${IDLE:-"1000 5000"}
PASSWORD_SCHEME=${PASSWORD_SCHEME:-SHA512-CRYPT}
SCENARIOS=${SCENARIOS:-"imap pop3 smtp idle"}
REPEAT=${REPEAT:-2}
BUILD_DISTRO=${BUILD_DISTRO:-0}
KEEP=${KEEP:-0}
PROFILE=${PROFILE:-0}
DOVECOT_LOGIN=${DOVECOT_LOGIN:-security}
PASSWORD=bench-Secret-1

PB_IMAP=$((BASE_PORT + 43)); PB_POP3=$((BASE_PORT + 10)); PB_SMTP=$((BASE_PORT + 25)); PB_LMTP=$((BASE_PORT + 24))
PB_SUBM=$((BASE_PORT + 87)); PB_SMTPS=$((BASE_PORT + 65)); PB_IMAPS=$((BASE_PORT + 93)); PB_POP3S=$((BASE_PORT + 95))
PB_SSH=$((BASE_PORT + 1)); PB_RMIREG=$((BASE_PORT + 2)); PB_RMISRV=$((BASE_PORT + 3))
DC_IMAP=$((BASE_PORT + 143)); DC_POP3=$((BASE_PORT + 110)); DC_LMTP=$((BASE_PORT + 124))
PF_SMTP=$((BASE_PORT + 225))

if [ "$BASE_PORT" -lt 20000 ]; then echo "BASE_PORT must be >= 20000" >&2; exit 2; fi
for p in $PB_IMAP $PB_POP3 $PB_SMTP $PB_SSH $PB_RMIREG $PB_RMISRV $DC_IMAP $DC_POP3 $DC_LMTP $PF_SMTP; do
  if ss -ltn "sport = :$p" | grep -q LISTEN; then echo "port $p is in use; set BASE_PORT" >&2; exit 2; fi
done
for b in dovecot postfix java mvn; do command -v $b >/dev/null || { echo "$b missing" >&2; exit 2; }; done
for d in /usr/lib/dovecot/pop3 /usr/lib/dovecot/lmtp; do
  [ -x $d ] || { echo "$d missing: apt-get install dovecot-pop3d dovecot-lmtpd" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/pbproto.XXXXXX)
chmod 755 "$WORK"
KARAF_PID=
cleanup() {
  set +e
  if [ -n "${KARAF_HOME:-}" ] && [ -x "$KARAF_HOME/bin/stop" ]; then "$KARAF_HOME/bin/stop" >/dev/null 2>&1; fi
  [ -f "$WORK/dovecot/run/master.pid" ] && dovecot -c "$WORK/dovecot/dovecot.conf" stop 2>/dev/null
  [ -f "$WORK/postfix/main.cf" ] && postfix -c "$WORK/postfix" stop 2>/dev/null
  sleep 3
  if [ -n "$KARAF_PID" ] && kill -0 "$KARAF_PID" 2>/dev/null; then kill "$KARAF_PID"; sleep 3; kill -9 "$KARAF_PID" 2>/dev/null; fi
  # anything still running from this temp dir (filtered by its path, never by name alone)
  for pid in $(pgrep -f "$WORK" || true); do kill "$pid" 2>/dev/null; done
  if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- build -----------------------------------------------------------------------------------------------------
cd "$ROOT"
mvn -q -B -o install -pl benchmarks/protocols
ARCHIVE=$(ls karaf-distro/target/pillarbox-karaf-distro-*.tar.gz 2>/dev/null | head -1 || true)
if [ "$BUILD_DISTRO" = 1 ] || [ -z "$ARCHIVE" ]; then
  mvn -q -B -o install -pl karaf-distro -am -DskipTests
  ARCHIVE=$(ls karaf-distro/target/pillarbox-karaf-distro-*.tar.gz | head -1)
fi
BENCH=(java -Xss512k -cp "$ROOT/benchmarks/protocols/target/classes" io.pillarbox.benchmarks.protocols.ProtocolBench)

# ---- the mailbox both servers get ------------------------------------------------------------------------------
"${BENCH[@]}" fill "$WORK/template" "$MESSAGES" >/dev/null

# ---- Pillarbox -------------------------------------------------------------------------------------------------
log "unpacking $ARCHIVE ($(date -u -r "$ARCHIVE" +%FT%TZ)) into $WORK/pillarbox"
mkdir -p "$WORK/pillarbox"
tar xzf "$ARCHIVE" -C "$WORK/pillarbox"
KARAF_HOME=$(ls -d "$WORK"/pillarbox/pillarbox-karaf-distro-*)
E=$KARAF_HOME/etc
setport() { sed -i -E "s/^port *=.*/port = $2/" "$E/io.pillarbox.listener-$1.cfg"; grep -q '^host = 127.0.0.1' "$E/io.pillarbox.listener-$1.cfg"; }
setport imap $PB_IMAP; setport pop3 $PB_POP3; setport smtp $PB_SMTP; setport lmtp $PB_LMTP
setport submission $PB_SUBM; setport smtps $PB_SMTPS; setport imaps $PB_IMAPS; setport pop3s $PB_POP3S
for l in imap pop3 smtp; do
  # the idle scenario holds thousands of sessions from one address
  sed -i -E 's/^maxConnections *=.*/maxConnections = 20000/; s/^maxConnectionsPerIp *=.*/maxConnectionsPerIp = 20000/' \
    "$E/io.pillarbox.listener-$l.cfg"
done
sed -i -E "s/^sshPort *=.*/sshPort=$PB_SSH/" "$E/org.apache.karaf.shell.cfg"
sed -i -E "s/^rmiRegistryPort *=.*/rmiRegistryPort=$PB_RMIREG/; s/^rmiServerPort *=.*/rmiServerPort=$PB_RMISRV/" \
  "$E/org.apache.karaf.management.cfg"
sed -i -E 's/^localDomains *=.*/localDomains = example.org/' "$E/io.pillarbox.delivery.cfg"
for i in $(seq 1 "$USERS"); do
  mkdir -p "$KARAF_HOME/data/mail/example.org/u$i"
  cp -a "$WORK/template" "$KARAF_HOME/data/mail/example.org/u$i/Maildir"
done

log "starting Pillarbox"
"$KARAF_HOME/bin/start"
for _ in $(seq 1 120); do
  [ -f "$KARAF_HOME/karaf.pid" ] && KARAF_PID=$(cat "$KARAF_HOME/karaf.pid")
  if [ -n "$KARAF_PID" ] && (exec 3<>/dev/tcp/127.0.0.1/$PB_IMAP) 2>/dev/null \
     && (exec 3<>/dev/tcp/127.0.0.1/$PB_SMTP) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$PB_POP3) 2>/dev/null; then
    break
  fi
  sleep 1
done
grep -q "karaf.home=$KARAF_HOME" "/proc/$KARAF_PID/cmdline" 2>/dev/null || tr '\0' ' ' < "/proc/$KARAF_PID/cmdline" | grep -q "$KARAF_HOME" \
  || { echo "Karaf did not start (pid file: ${KARAF_PID:-none})" >&2; exit 1; }
log "Pillarbox running, pid $KARAF_PID"
client() { "$KARAF_HOME/bin/client" -b 2>&1; }
for _ in $(seq 1 60); do echo 'mail:user-list' | client >/dev/null 2>&1 && break; sleep 2; done
{ for i in $(seq 1 "$USERS"); do echo "mail:user-add u$i@example.org $PASSWORD"; done
  echo "mail:user-add sink@example.org $PASSWORD"
  for i in $(seq 1 "$USERS"); do echo "mail:user-add sink$i@example.org $PASSWORD"; done; } | client
if [ "$PASSWORD_SCHEME" != ARGON2ID ]; then
  HASH=$(doveadm pw -s "$PASSWORD_SCHEME" -p "$PASSWORD")
  # the same hash for every user, in both servers' files; the file realm re-reads its file when it changes
  { for i in $(seq 1 "$USERS"); do echo "u$i@example.org:$HASH::::::"; echo "sink$i@example.org:$HASH::::::"; done
    echo "sink@example.org:$HASH::::::"; } \
    > "$E/pillarbox.users.new"
  mv "$E/pillarbox.users.new" "$E/pillarbox.users"
  sleep 3
fi
grep -v '^#' "$E/pillarbox.users" | grep . | cut -d: -f1,2 | sed 's/$/::::::/' > "$WORK/passwd"

# ---- Dovecot ---------------------------------------------------------------------------------------------------
D=$WORK/dovecot
mkdir -p "$D/run" "$D/state" "$D/mail/example.org"
for i in $(seq 1 "$USERS"); do
  mkdir -p "$D/mail/example.org/u$i"
  cp -a "$WORK/template" "$D/mail/example.org/u$i/Maildir"
done
chown -R nobody:nogroup "$D/mail"
cp "$WORK/passwd" "$D/passwd"
LOGIN_MODE=
if [ "$DOVECOT_LOGIN" = performance ]; then
  LOGIN_MODE="  service_count = 0
  process_min_avail = $(nproc)
  vsz_limit = 1G"
fi
cat > "$D/dovecot.conf" <<EOF
# throwaway configuration written by benchmarks/protocols/run.sh
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = username_format=%u $D/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$D/mail/%d/%n allow_all_users=yes
}
mail_location = maildir:~/Maildir
mail_fsync = optimized
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = nobody
default_login_user = nobody
default_internal_group = nogroup
namespace inbox {
  inbox = yes
  separator = .
}
default_process_limit = 6000
default_client_limit = 20000
service imap-login {
  chroot =
$LOGIN_MODE
  inet_listener imap {
    address = 127.0.0.1
    port = $DC_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
$LOGIN_MODE
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DC_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DC_LMTP
  }
  unix_listener lmtp {
    mode = 0
  }
}
service imap {
  process_limit = 6000
}
service anvil {
  chroot =
}
protocol imap {
  mail_max_userip_connections = 20000
}
protocol pop3 {
  mail_max_userip_connections = 20000
}
EOF
log "starting Dovecot $(dovecot --version)"
dovecot -c "$D/dovecot.conf"
for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/$DC_IMAP) 2>/dev/null && break; sleep 0.5; done
DOVECOT_PID=$(cat "$D/run/master.pid")

# ---- Postfix ---------------------------------------------------------------------------------------------------
P=$WORK/postfix
mkdir -p "$P/spool"
cat > "$P/main.cf" <<EOF
# throwaway configuration written by benchmarks/protocols/run.sh
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bench.example
mydomain = bench.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = example.org
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:$DC_LMTP
maillog_file = $P/postfix.log
maillog_file_prefixes = $P
smtputf8_enable = no
biff = no
alias_maps =
alias_database =
append_dot_mydomain = no
EOF
cat > "$P/master.cf" <<EOF
127.0.0.1:$PF_SMTP inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
log "starting Postfix $(postconf -d -h mail_version)"
postfix -c "$P" start >&2 || { echo "Postfix did not start; see $P/postfix.log" >&2; exit 1; }
for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/$PF_SMTP) 2>/dev/null && break; sleep 0.5; done

# ---- what is being compared ------------------------------------------------------------------------------------
R=$WORK/results.md
{
  echo "# Protocol benchmarks $(date -u +%FT%TZ)"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Pillarbox: $(basename "$ARCHIVE") built $(date -u -r "$ARCHIVE" +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "  JVM: $(tr '\0' ' ' < /proc/$KARAF_PID/cmdline | awk '{print $1}') $(java -version 2>&1 | head -1)"
  echo "  JVM flags: $(jcmd "$KARAF_PID" VM.flags 2>/dev/null | tail -1 | tr ' ' '\n' | grep -E 'MaxHeapSize|InitialHeapSize|UseG1GC|UseSerialGC|UseParallelGC' | tr '\n' ' ')"
  echo "  store fsync: $(grep -h '^fsync' "$E"/io.pillarbox.store.maildir.cfg 2>/dev/null || echo 'default (true)'); transport: $(grep -v '^#' "$E/io.pillarbox.transport.cfg" | grep -E 'Threads|Queue' | tr '\n' ' ')"
  echo "- Dovecot $(dovecot --version): mail_fsync = $(doveconf -c "$D/dovecot.conf" -h mail_fsync), login processes: $DOVECOT_LOGIN mode, auth_cache_size = $(doveconf -c "$D/dovecot.conf" -h auth_cache_size)"
  echo "- Postfix $(postconf -d -h mail_version): SMTP on $PF_SMTP, delivery lmtp:inet:127.0.0.1:$DC_LMTP (Dovecot LMTP into the same kind of Maildir)"
  echo "- password scheme in both users files: $PASSWORD_SCHEME; $MESSAGES messages of about 4 KB per INBOX, $USERS users"
  echo
} > "$R"

# ---- scenarios -------------------------------------------------------------------------------------------------
HDR='| scenario | server | clients | step | rate | count | p50 ms | p90 ms | p99 ms | max ms | errors |'
SEP='|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|'
run() {
  log "$*"
  local jfr=
  if [ "$PROFILE" = 1 ] && [[ "$2" == pillarbox* ]]; then
    mkdir -p "$WORK/jfr"
    local conc=$7
    [ "$1" = smtp ] && conc=$6
    jfr="$WORK/jfr/$1-c$conc-${2#*#}.jfr"
    jcmd "$KARAF_PID" JFR.start name=bench settings=profile "filename=$jfr" >/dev/null
  fi
  "${BENCH[@]}" "$@" | tee -a "$WORK/bench.log" | grep '^|' >> "$WORK/rows.md" || true
  if [ -n "$jfr" ]; then
    jcmd "$KARAF_PID" JFR.stop name=bench >/dev/null
    profile_summary "$jfr" >> "$WORK/profile.md"
  fi
}
# The hottest frames of a JFR recording: the top frame of every execution sample, and the first Pillarbox frame
# on the stack; then the time spent in fsync (jdk.FileForce, events over the profile setting's 20 ms threshold only)
profile_summary() {
  echo "### $(basename "$1" .jfr)"
  echo
  jfr print --stack-depth 64 --events jdk.ExecutionSample "$1" > "$1.txt"
  echo "Top frames of $(grep -c 'jdk.ExecutionSample' "$1.txt") execution samples:"
  echo
  awk '/stackTrace = \[/{getline; sub(/^ +/, ""); sub(/ +line:.*/, ""); print}' "$1.txt" | sort | uniq -c | sort -rn | head -15 | sed 's/^/    /'
  echo
  echo "First io.pillarbox frame of each sample:"
  echo
  awk '/stackTrace = \[/{inst=1; next} inst && /io\.pillarbox\./{sub(/^ +/, ""); sub(/ +line:.*/, ""); print; inst=0} /^ *\]/{inst=0}' "$1.txt" | sort | uniq -c | sort -rn | head -15 | sed 's/^/    /'
  echo
  jfr print --events jdk.FileForce "$1" > "$1.force.txt"
  echo "fsync (jdk.FileForce) events over 20 ms: $(grep -c 'jdk.FileForce' "$1.force.txt")"
  jfr print --stack-depth 64 --events jdk.JavaMonitorEnter,jdk.ThreadPark "$1" > "$1.lock.txt"
  echo "monitor waits and parks over the thresholds, by first io.pillarbox frame:"
  echo
  awk '/stackTrace = \[/{inst=1; next} inst && /io\.pillarbox\./{sub(/^ +/, ""); sub(/ +line:.*/, ""); print; inst=0} /^ *\]/{inst=0}' "$1.lock.txt" | sort | uniq -c | sort -rn | head -10 | sed 's/^/    /'
  echo
}

# warm both servers: every user's mailbox indexed once, the JVM's code compiled, before anything is recorded
"${BENCH[@]}" imap pillarbox 127.0.0.1 $PB_IMAP "u@example.org*$USERS" $PASSWORD "$USERS" 10 1 > /dev/null
"${BENCH[@]}" imap dovecot 127.0.0.1 $DC_IMAP "u@example.org*$USERS" $PASSWORD "$USERS" 10 1 > /dev/null
"${BENCH[@]}" pop3 pillarbox 127.0.0.1 $PB_POP3 "u@example.org*$USERS" $PASSWORD "$USERS" 5 1 > /dev/null
"${BENCH[@]}" pop3 dovecot 127.0.0.1 $DC_POP3 "u@example.org*$USERS" $PASSWORD "$USERS" 5 1 > /dev/null

: > "$WORK/rows.md"
for rep in $(seq 1 "$REPEAT"); do
  for c in $CONC; do
    for s in $SCENARIOS; do
      case $s in
        imap)
          run imap "pillarbox#$rep" 127.0.0.1 $PB_IMAP "u@example.org*$USERS" $PASSWORD "$c" "$WARMUP" "$DURATION"
          run imap "dovecot#$rep" 127.0.0.1 $DC_IMAP "u@example.org*$USERS" $PASSWORD "$c" "$WARMUP" "$DURATION" ;;
        pop3)
          run pop3 "pillarbox#$rep" 127.0.0.1 $PB_POP3 "u@example.org*$USERS" $PASSWORD "$c" "$WARMUP" "$DURATION"
          run pop3 "dovecot#$rep" 127.0.0.1 $DC_POP3 "u@example.org*$USERS" $PASSWORD "$c" "$WARMUP" "$DURATION" ;;
        smtp)
          run smtp "pillarbox#$rep" 127.0.0.1 $PB_SMTP sink@example.org "$c" "$WARMUP" "$DURATION" \
            "$KARAF_HOME/data/mail/example.org/sink/Maildir"
          run smtp "postfix+dovecot-lmtp#$rep" 127.0.0.1 $PF_SMTP sink@example.org "$c" "$WARMUP" "$DURATION" \
            "$D/mail/example.org/sink/Maildir" ;;
        smtpn)
          run smtp "pillarbox#$rep" 127.0.0.1 $PB_SMTP "sink@example.org*$USERS" "$c" "$WARMUP" "$DURATION" \
            "$KARAF_HOME/data/mail/example.org/%n/Maildir"
          run smtp "postfix+dovecot-lmtp#$rep" 127.0.0.1 $PF_SMTP "sink@example.org*$USERS" "$c" "$WARMUP" \
            "$DURATION" "$D/mail/example.org/%n/Maildir" ;;
      esac
    done
  done
done

{
  echo "## Load (closed loop, $WARMUP s warm-up then $DURATION s measured; rate = completed per second)"
  echo
  echo "$HDR"; echo "$SEP"
  sort -s -t'|' -k2,2 -k4,4n "$WORK/rows.md"
  echo
} >> "$R"

if [[ " $SCENARIOS " == *" idle "* ]]; then
  : > "$WORK/idle.md"
  # let Dovecot's leftover processes of the load scenarios (lmtp, pop3, login) reach idle_kill (60 s) and exit,
  # so that its baseline is its resting state
  sleep 65
  for n in $IDLE; do
    for rep in $(seq 1 "$REPEAT"); do
      log "idle $n #$rep"
      { jcmd "$KARAF_PID" GC.run >/dev/null; jcmd "$KARAF_PID" GC.heap_info > "$WORK/heap-$n-$rep-before.txt" 2>&1; } || true
      BENCH_IDLE_HOOK="jcmd $KARAF_PID GC.run >/dev/null; jcmd $KARAF_PID GC.heap_info > $WORK/heap-$n-$rep.txt 2>&1" \
        "${BENCH[@]}" idle "pillarbox#$rep" 127.0.0.1 $PB_IMAP "u@example.org*$USERS" $PASSWORD "$n" "$KARAF_PID" \
        | tee -a "$WORK/bench.log" | grep '^|' >> "$WORK/idle.md" || true
      BENCH_IDLE_HOOK= "${BENCH[@]}" idle "dovecot#$rep" 127.0.0.1 $DC_IMAP "u@example.org*$USERS" $PASSWORD "$n" \
        "$DOVECOT_PID" tree | tee -a "$WORK/bench.log" | grep '^|' >> "$WORK/idle.md" || true
      sleep 5
    done
  done
  {
    echo "## Idle IMAP sessions (LOGIN, SELECT INBOX, IDLE; memory read from /proc 10 s after the last one; Pillarbox: the Karaf JVM; Dovecot: master and all its children)"
    echo
    echo '| server | sessions | held, answered DONE | time to open | processes (threads) | RSS | PSS | RSS per session | PSS per session |'
    echo '|---|---:|---|---:|---|---|---|---:|---:|'
    cat "$WORK/idle.md"
    echo
    echo "Pillarbox heap after a full GC (jcmd GC.run, GC.heap_info) before opening the sessions and while they were held:"
    echo
    for f in "$WORK"/heap-*.txt; do echo "    $(basename "$f" .txt): $(grep -E 'garbage-first heap|total' "$f" | head -1 | sed 's/  */ /g')"; done
    echo
  } >> "$R"
fi
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$R"
if [ -f "$WORK/profile.md" ]; then { echo; echo "## Pillarbox profiles (JFR)"; echo; cat "$WORK/profile.md"; } >> "$R"; fi
if [ -n "${RESULTS:-}" ]; then cp "$R" "$RESULTS"; cp "$WORK/bench.log" "$RESULTS.log"; fi
cat "$R"
