// The local CA (deploy/local/certs.sh makes it; GATEWAY_CA names another), trusted for real by
// the end-to-end tests and the browser benchmarks: nobody ignores a certificate error.
// Chromium on Linux takes its trusted roots from the NSS database in $HOME/.pki/nssdb, so the
// browser runs with a HOME of its own under .run/browser-trust whose database trusts the CA
// (made once per CA with certutil, from libnss3-tools). Node (Playwright's API requests, fetch)
// trusts it through NODE_EXTRA_CA_CERTS, read when a Node process starts.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** The CA file the gateway's certificate chains to. */
export const GATEWAY_CA = process.env.GATEWAY_CA ?? path.join(root, ".run", "tls", "ca.crt");

/** A HOME whose NSS database trusts `ca` to identify TLS servers, for Chromium's `env`. */
export function browserHome(ca = GATEWAY_CA) {
  if (!existsSync(ca)) throw new Error(`no CA at ${ca}: run 'deploy/local/certs.sh ensure' (make up does)`);
  const digest = createHash("sha256").update(readFileSync(ca)).digest("hex").slice(0, 16);
  const home = path.join(root, ".run", "browser-trust", digest);
  if (existsSync(path.join(home, ".pki", "nssdb", "cert9.db"))) return home;
  // Made aside and renamed into place: two runs starting at once never see half a database.
  const building = `${home}.${process.pid}`;
  const db = `sql:${path.join(building, ".pki", "nssdb")}`;
  mkdirSync(path.join(building, ".pki", "nssdb"), { recursive: true });
  try {
    execFileSync("certutil", ["-N", "-d", db, "--empty-password"], { stdio: "pipe" });
    execFileSync("certutil", ["-A", "-d", db, "-n", "surgery-scheduling-local-ca", "-t", "C,,", "-i", ca], { stdio: "pipe" });
    renameSync(building, home);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (existsSync(path.join(home, ".pki", "nssdb", "cert9.db"))) return home;
    const missing = /** @type {NodeJS.ErrnoException} */ (error).code === "ENOENT";
    throw missing ? new Error("certutil is missing: run 'make install' (Debian's libnss3-tools)") : error;
  }
  return home;
}
