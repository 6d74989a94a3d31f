// The GitHub emulator in tests: run it on a free port, and click through its consent page the way a
// browser would. The emulator package provides both (its `testing` entry).
export { approveAtEmulator, startEmulator, type RunningEmulator } from "@github-login-server/github-emulator/testing";
