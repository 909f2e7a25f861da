#!/usr/bin/env bash
# Installs Crosswalk as a systemd service on Debian/Ubuntu. Run as root from a
# checkout of the repository:
#
#   sudo Deploy/install.sh                      # build a release binary, then install
#   sudo Deploy/install.sh --binary ./crosswalk # install a binary built elsewhere
#   Deploy/install.sh --dry-run                 # print what would be done; change nothing
#
# What it does (each step only when needed, so running it again is safe — that is
# also how to upgrade):
#   - builds `crosswalk` (swift build -c release --static-swift-stdlib) unless
#     --binary is given;
#   - installs it as /usr/local/bin/crosswalk (the one it replaces is kept as
#     /usr/local/bin/crosswalk.previous), the SQL files (migrations
#     and functions, with their README) under /usr/local/share/crosswalk/sql/ (for
#     reference: the binary embeds them) and every guide in docs/ (OPERATIONS.md and
#     each document it links to, checked) under /usr/local/share/doc/crosswalk/;
#   - creates the system user `crosswalk`;
#   - creates /etc/crosswalk with crosswalk.conf and crosswalk.env from the examples
#     when they are missing (existing files are never overwritten), /var/lib/crosswalk
#     and /srv/crosswalk/documents;
#   - installs the systemd units into /etc/systemd/system and runs
#     `systemctl daemon-reload` when systemd is running.
# It does not enable or start anything, and never restarts a running daemon.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: install.sh [--binary PATH] [--dry-run]

  --binary PATH  install this crosswalk binary instead of building one
  --dry-run      print what would be done, change nothing (no root needed)
  -h, --help     this text
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=""
dry_run=false
while (($# > 0)); do
    case $1 in
        --binary)
            (($# >= 2)) || { echo "install: --binary needs a path" >&2; exit 2; }
            binary=$2
            shift 2
            ;;
        --binary=*) binary=${1#--binary=}; shift ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

bin_dir=/usr/local/bin
share_dir=/usr/local/share/crosswalk
doc_dir=/usr/local/share/doc/crosswalk
etc_dir=/etc/crosswalk
state_dir=/var/lib/crosswalk
documents_dir=/srv/crosswalk/documents
unit_dir=/etc/systemd/system
user=crosswalk
units=(crosswalk.service crosswalk-sync.service crosswalk-sync.timer)

say() { printf 'install: %s\n' "$*"; }

# Runs a command, or only prints it under --dry-run.
run() {
    if $dry_run; then
        printf '  would run:'
        printf ' %q' "$@"
        printf '\n'
    else
        printf '  +'
        printf ' %q' "$@"
        printf '\n'
        "$@"
    fi
}

# Copies $1 to $2 with mode $3 and owner $4 unless $2 already has that content;
# the new file replaces the old one by rename, so a running program never sees it
# half written.
put_file() {
    local from=$1 to=$2 mode=$3 owner=$4
    if [[ -f $to ]] && cmp -s "$from" "$to"; then
        say "$to is up to date"
        return
    fi
    run install -D -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$from" "$to.new"
    run mv -f "$to.new" "$to"
}

# Creates a folder with mode and owner if it is missing; leaves an existing one alone.
make_dir() {
    local dir=$1 mode=$2 owner=$3
    if [[ -d $dir ]]; then
        say "$dir exists"
    else
        run install -d -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$dir"
    fi
}

if ! $dry_run && [[ $(id -u) -ne 0 ]]; then
    echo "install: run as root (sudo $0), or with --dry-run to see what it would do" >&2
    exit 1
fi
for file in Deploy/crosswalk.conf.example Deploy/crosswalk.env.example SQL/migrations docs/OPERATIONS.md \
    "${units[@]/#/Deploy/systemd/}"; do
    [[ -e $repo/$file ]] || { echo "install: $repo/$file is missing: run this from a Crosswalk checkout" >&2; exit 1; }
done
# Each relative link in the guides must name another guide installed with them.
for doc in "$repo"/docs/*.md; do
    for target in $(grep -o '](\([^)#:]*\)[)#]' "$doc" | sed -e 's/^](//' -e 's/[)#]$//' | sort -u); do
        [[ -e $repo/docs/$target && $target != */* ]] || {
            echo "install: ${doc#"$repo"/} links to $target, which is not installed with the guides" >&2
            exit 1
        }
    done
done
$dry_run && say "dry run: nothing will be changed"

# 1. The binary.
if [[ -z $binary ]]; then
    swift=$(command -v swift || true)
    if [[ -z $swift ]]; then
        echo "install: swift not found in PATH: install the Swift toolchain (6.0 or newer), or give" >&2
        echo "install: --binary PATH (sudo resets PATH; sudo env \"PATH=\$PATH\" $0 keeps yours)" >&2
        $dry_run || exit 1
        swift=swift
    fi
    say "building a release binary in $repo"
    # Build as the user who owns the checkout, so .build does not end up owned by root.
    as_owner=()
    owner=$(stat -c %U "$repo")
    if [[ $owner != root && $(id -u) -eq 0 ]]; then
        as_owner=(runuser -u "$owner" --)
    fi
    build=("$swift" build --package-path "$repo" -c release --static-swift-stdlib --product crosswalk)
    run "${as_owner[@]}" "${build[@]}"
    if $dry_run; then
        binary="$repo/.build/release/crosswalk"
    else
        binary="$("${as_owner[@]}" "${build[@]}" --show-bin-path)/crosswalk"
    fi
elif [[ ! -x $binary ]]; then
    echo "install: $binary is not an executable file" >&2
    exit 1
fi
if [[ -x $binary ]]; then
    # The Swift runtime is built in (--static-swift-stdlib): the host needs only glibc
    # and libpq5. A binary that still links libswiftCore needs the toolchain's runtime.
    if ldd "$binary" 2>/dev/null | grep -q 'libswiftCore'; then
        say "warning: $binary links the Swift runtime dynamically (built without --static-swift-stdlib):"
        say "         this host needs the Swift runtime libraries under /usr/lib/swift/linux to run it"
    fi
    if missing=$(ldd "$binary" 2>/dev/null | grep 'not found'); then
        echo "install: $binary needs libraries this host lacks (apt-get install libpq5?):" >&2
        echo "$missing" >&2
        $dry_run || exit 1
    fi
fi
say "binary: $binary"
if [[ -f $bin_dir/crosswalk ]] && ! cmp -s "$binary" "$bin_dir/crosswalk"; then
    run cp -p "$bin_dir/crosswalk" "$bin_dir/crosswalk.previous"
fi
if $dry_run && [[ ! -e $binary ]]; then
    printf '  would run: install -m 0755 %s %s.new && mv -f ... %s\n' "$binary" "$bin_dir/crosswalk" "$bin_dir/crosswalk"
else
    put_file "$binary" "$bin_dir/crosswalk" 0755 root:root
fi

# 2. The SQL files (reference copy) and documentation.
for sql in "$repo"/SQL/*.sql "$repo"/SQL/migrations/*.sql "$repo"/SQL/functions/*.sql; do
    put_file "$sql" "$share_dir/sql/${sql#"$repo"/SQL/}" 0644 root:root
done
put_file "$repo/SQL/README.md" "$share_dir/sql/README.md" 0644 root:root
# Every guide, so each link in them leads to an installed file (checked above).
for doc in "$repo"/docs/*.md "$repo"/docs/openapi.yaml; do
    put_file "$doc" "$doc_dir/$(basename "$doc")" 0644 root:root
done

# 3. The system user. Its home is the state folder, so ~/.pgpass is
#    /var/lib/crosswalk/.pgpass.
if id -u "$user" >/dev/null 2>&1; then
    say "user $user exists"
else
    run useradd --system --user-group --home-dir "$state_dir" --no-create-home \
        --shell /usr/sbin/nologin --comment "Crosswalk daemon" "$user"
fi

# 4. Folders and settings. The config file is readable by the daemon's group; the
#    env file (secrets) is read by systemd as root before the daemon starts.
make_dir "$etc_dir" 0750 "root:$user"
if [[ -e $etc_dir/crosswalk.conf ]]; then
    say "$etc_dir/crosswalk.conf exists: left as it is (compare with $repo/Deploy/crosswalk.conf.example)"
else
    run install -m 0640 -o root -g "$user" "$repo/Deploy/crosswalk.conf.example" "$etc_dir/crosswalk.conf"
fi
if [[ -e $etc_dir/crosswalk.env ]]; then
    say "$etc_dir/crosswalk.env exists: left as it is"
    if [[ $(stat -c '%a %U' "$etc_dir/crosswalk.env") != "600 root" ]]; then
        say "$etc_dir/crosswalk.env holds secrets: making it root-only (0600)"
        run chown root:root "$etc_dir/crosswalk.env"
        run chmod 0600 "$etc_dir/crosswalk.env"
    fi
else
    run install -m 0600 -o root -g root "$repo/Deploy/crosswalk.env.example" "$etc_dir/crosswalk.env"
fi
make_dir "$state_dir" 0750 "$user:$user"
make_dir "$(dirname "$documents_dir")" 0755 root:root
make_dir "$documents_dir" 0755 root:root

# 5. systemd units. Local changes belong in drop-ins (systemctl edit crosswalk), which
#    survive this step.
for unit in "${units[@]}"; do
    put_file "$repo/Deploy/systemd/$unit" "$unit_dir/$unit" 0644 root:root
done
if [[ -d /run/systemd/system ]]; then
    run systemctl daemon-reload
else
    say "systemd is not running here: skipped systemctl daemon-reload"
fi

# 6. What is left to the operator.
embedded_note=""
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    embedded_note="
   No PostgreSQL server is installed here, so 'database' must be set (the embedded
   cluster needs the server binaries: apt-get install postgresql postgresql-contrib)."
fi
done_note=""
$dry_run && done_note=" (dry run: nothing was changed)"
active=""
if [[ -d /run/systemd/system ]] && systemctl is-active --quiet crosswalk.service; then
    active="
   The daemon is running the old binary: systemctl restart crosswalk.service"
fi
cat <<EOF

Crosswalk is installed$done_note. Next steps:
 1. Settings: $etc_dir/crosswalk.conf (every key is described there). At least
    'source' (default $documents_dir) and, for an existing PostgreSQL, 'database'.$embedded_note
 2. Secrets: $etc_dir/crosswalk.env (root-only, 0600): CROSSWALK_DATABASE with its
    password, CROSSWALK_PASSWORD, CROSSWALK_ADMIN_TOKEN.
 3. Check the settings, the database and the documents (writes no documents, but
    does apply pending migrations), as the daemon would see them:
      sudo sh -c 'set -a; . $etc_dir/crosswalk.env; set +a; exec runuser -u $user -- \\
        crosswalk sync --config $etc_dir/crosswalk.conf --dry-run'
 4. Start the daemon, and the hourly sync timer if you use it instead of the
    daemon's sync-interval:
      systemctl enable --now crosswalk.service
      systemctl enable --now crosswalk-sync.timer     # optional; then sync-interval = 0
 5. Check: crosswalk health --config $etc_dir/crosswalk.conf
           journalctl -u crosswalk.service -f$active
Operations guide: $doc_dir/OPERATIONS.md
EOF
