// The bundle's entry. `tapo-port --version` alone (the module's version handshake, a script asking
// which core it has) answers before yargs or any command's code is loaded: the same line yargs
// prints, at the cost of Node's own start. Every other command line goes to main.ts, which
// esbuild keeps in the same file but evaluates only here (a dynamic import).
import { ExitCode } from '../contract/exit-codes.ts';
import { VERSION } from '../contract/version.ts';

const words = process.argv.slice(2);
if (words.length === 1 && words[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  import('./main.ts').catch((error: unknown) => {
    process.stderr.write(`tapo-port: could not load its commands: ${String(error)}\n`);
    process.exitCode = ExitCode.unexpected;
  });
}
