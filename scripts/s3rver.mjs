#!/usr/bin/env node
// Starts s3rver (an S3 emulator, npm package) on 127.0.0.1:<port> for the test run; prints its
// endpoint and stays up until killed. Usage: node scripts/s3rver.mjs <port> <directory>
import S3rver from 's3rver';

const port = Number(process.argv[2] ?? 4568);
const directory = process.argv[3] ?? '.tmp/s3rver';
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
const { port: bound } = await server.run();
process.stdout.write(`s3rver listening on http://127.0.0.1:${bound}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
