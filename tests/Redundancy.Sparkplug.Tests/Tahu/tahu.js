'use strict';
// Eclipse Tahu's sparkplug-payload as an independent decoder and encoder for the tests (TahuDecoder.cs).
//   node tahu.js <node_modules> decode <file>...   prints a JSON array, one entry per payload file:
//       {"decoded": decodePayload(bytes), "raw": the protobuf message as protobufjs reads it}
//     64-bit integers (Long) are printed as decimal strings. "raw" is there for NDATA: Tahu's decodePayload finds a
//     metric's value by its datatype, which NDATA leaves out (the host knows it from the alias in NBIRTH).
//   node tahu.js <node_modules> rebirth <timestamp ms>   prints the base64 of a host's NCMD asking for a rebirth
const fs = require('fs');
const path = require('path');

const [modules, command, ...args] = process.argv.slice(2);
const sparkplug = require(path.join(modules, 'sparkplug-payload')).get('spBv1.0');
const Long = require(path.join(modules, 'long'));
const { Payload } = require(path.join(modules, 'sparkplug-payload', 'lib', 'sparkplugPayloadProto')).org.eclipse.tahu.protobuf;

const longsAsText = (key, value) => (Long.isLong(value) ? value.toString() : value);

if (command === 'decode') {
  const out = args.map((file) => {
    const bytes = fs.readFileSync(file);
    return {
      decoded: sparkplug.decodePayload(bytes),
      raw: Payload.toObject(Payload.decode(bytes), { longs: String }),
    };
  });
  process.stdout.write(JSON.stringify(out, longsAsText));
} else if (command === 'rebirth') {
  const bytes = sparkplug.encodePayload({
    timestamp: Number(args[0]),
    metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
  });
  process.stdout.write(Buffer.from(bytes).toString('base64'));
} else {
  process.stderr.write(`unknown command '${command}'\n`);
  process.exit(2);
}
