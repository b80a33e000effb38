#!/usr/bin/env node
// Committed launcher: it exists before the first build, so `npm install` can link the
// command, and it stays executable whatever the compiler writes.
import "../dist/bin.js";
