#!/usr/bin/env bash
# Installs the PowerShell that runs the Pester suites, and Pester itself, into .tools/ of this
# checkout (nothing global, nothing from the PowerShell Gallery):
#
#   bash scripts/install-powershell.sh                 # CI: fails without the .NET SDK
#   bash scripts/install-powershell.sh --if-possible   # npm run setup:powershell: says so and
#                                                      # exits 0 without it (the Pester tests then
#                                                      # skip loudly, or fail under TAPO_REQUIRE_PWSH=1)
#
#   .tools/powershell/pwsh                  PowerShell 7.6.10, the .NET global tool "PowerShell"
#   .tools/pester/pester/5.7.1/tools/       Pester 5.7.1 from NuGet (restored, not built)
#
# Both versions are pinned: the tool's newest (7.7.0) does not start on these machines, and
# Pester 6 changed its configuration. Needs the .NET SDK and a reachable NuGet source. Runs again
# in about a second when both are already there. test/powershell/pester.test.ts finds them here.
set -euo pipefail

POWERSHELL_VERSION=7.6.10
PESTER_VERSION=5.7.1

if_possible=0
[ "${1:-}" = "--if-possible" ] && if_possible=1

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
pwsh_dir="$tools/powershell"
pester_dir="$tools/pester"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-powershell: the .NET SDK (dotnet) is not on PATH; it installs PowerShell as a .NET tool" >&2
  if [ "$if_possible" = 1 ]; then
    echo "install-powershell: SKIPPED: the Pester suites will be skipped (loudly) unless pwsh and Pester 5 are on PATH" >&2
    exit 0
  fi
  exit 3
fi

installed_pwsh_version() {
  [ -x "$pwsh_dir/pwsh" ] || return 0
  "$pwsh_dir/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null || true
}

if [ "$(installed_pwsh_version)" != "$POWERSHELL_VERSION" ]; then
  echo "install-powershell: PowerShell $POWERSHELL_VERSION into .tools/powershell"
  rm -rf "$pwsh_dir"
  dotnet tool install PowerShell --version "$POWERSHELL_VERSION" --tool-path "$pwsh_dir" >/dev/null
fi

manifest="$pester_dir/pester/$PESTER_VERSION/tools/Pester.psd1"
if [ ! -f "$manifest" ]; then
  echo "install-powershell: Pester $PESTER_VERSION into .tools/pester"
  project="$(mktemp -d)"
  trap 'rm -rf "$project"' EXIT
  # A throwaway project whose only job is to download one package: dotnet restore does the rest.
  cat >"$project/download.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$PESTER_VERSION]" /></ItemGroup>
</Project>
EOF
  dotnet restore "$project/download.csproj" --packages "$pester_dir" >/dev/null
fi

[ -f "$manifest" ] || { echo "install-powershell: Pester's manifest is missing after the restore: $manifest" >&2; exit 1; }
echo "install-powershell: $("$pwsh_dir/pwsh" -NoLogo -NoProfile -NonInteractive -Command '"PowerShell " + $PSVersionTable.PSVersion.ToString()'), Pester $PESTER_VERSION"
