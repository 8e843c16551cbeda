#include "export/verify_md.h"

namespace embarc::bundle {

std::string RenderVerifyMd(const VerifyMdInput& in) {
  std::string md;
  md += "# Verifying this evidence package\n\n";
  md += "This package holds " + std::to_string(in.records.size()) + " signed snapshot record(s) and " +
        std::to_string(in.warc_records) + " WARC records (the raw HTTP exchanges they were read from, plus a warcinfo).\n"
        "Each record is included in the append-only log `" + in.origin + "` at the checkpoint of tree size " +
        std::to_string(in.tree_size) + " (root `" + in.root_hash + "`), signed by key `" + in.checkpoint_key_id + "`";
  if (!in.timestamps.empty()) {
    md += ", which an RFC 3161 time-stamping authority (" + in.timestamps[0].tsa_url + ") dated " + in.timestamps[0].gen_time;
  }
  md += ".\n\n`embarc verify-bundle PACKAGE.wacz` performs every check below. To check without embarc, unzip the\n"
        "package (`unzip -d pkg PACKAGE.wacz && cd pkg`) and run these commands in its folder. They need only\n"
        "openssl 3 and python3 (standard library).\n\n";

  md += "## 1. Every file is the one listed in datapackage.json\n\n```sh\npython3 - <<'EOF'\n"
        "import hashlib, json, os\n"
        "dp = json.load(open('datapackage.json'))\n"
        "listed = {r['path'] for r in dp['resources']}\n"
        "for r in dp['resources']:\n"
        "    data = open(r['path'], 'rb').read()\n"
        "    ok = r['hash'] == 'sha256:' + hashlib.sha256(data).hexdigest() and r['bytes'] == len(data)\n"
        "    print('ok ' if ok else 'BAD', r['path'])\n"
        "for d, _, fs in os.walk('.'):\n"
        "    for f in fs:\n"
        "        p = os.path.relpath(os.path.join(d, f))\n"
        "        if p not in listed and p not in ('datapackage.json', 'datapackage-digest.json'): print('BAD not listed:', p)\n"
        "dg = json.load(open('datapackage-digest.json'))\n"
        "print('ok ' if dg['hash'] == 'sha256:' + hashlib.sha256(open('datapackage.json', 'rb').read()).hexdigest() else 'BAD', 'datapackage.json')\n"
        "EOF\n```\n\n";

  md += "## 2. The WARC records are intact\n\n"
        "`archive/data.warc.gz` holds one gzip member per WARC record, copied byte for byte from the archive. Every\n"
        "record carries `WARC-Block-Digest` and (requests and responses) `WARC-Payload-Digest`, both SHA-256:\n\n"
        "```sh\npython3 - <<'EOF'\n"
        "import hashlib, zlib\n"
        "data = open('archive/data.warc.gz', 'rb').read(); n = 0\n"
        "while data:\n"
        "    d = zlib.decompressobj(31); rec = d.decompress(data); data = d.unused_data; n += 1\n"
        "    head, _, rest = rec.partition(b'\\r\\n\\r\\n')\n"
        "    f = dict(l.split(': ', 1) for l in head.decode().split('\\r\\n')[1:])\n"
        "    block = rest[:int(f['Content-Length'])]\n"
        "    ok = f['WARC-Block-Digest'] == 'sha256:' + hashlib.sha256(block).hexdigest()\n"
        "    if 'WARC-Payload-Digest' in f:\n"
        "        ok = ok and f['WARC-Payload-Digest'] == 'sha256:' + hashlib.sha256(block.partition(b'\\r\\n\\r\\n')[2]).hexdigest()\n"
        "    print('ok ' if ok else 'BAD', f['WARC-Type'], f['WARC-Record-ID'], f.get('WARC-Target-URI', ''))\n"
        "print(n, 'records')\n"
        "EOF\n```\n\n"
        "Each snapshot record's `captures[]` names the response records it was read from (`warc_record_id`) and the\n"
        "SHA-256 of their payload (`payload_sha256`), which must equal that record's `WARC-Payload-Digest`.\n\n";

  md += "## 3. The snapshot records are signed (DSSE, Ed25519)\n\n"
        "A record is the payload of its DSSE envelope; its name is the SHA-256 of its bytes. The signature covers\n"
        "DSSE's pre-authentication encoding `DSSEv1 <len(type)> <type> <len(payload)> <payload>`. This writes, for each\n"
        "envelope, the record (`<hash>.record.json`), the signed bytes (`<hash>.pae`) and the signature (`<hash>.sig`):\n\n"
        "```sh\npython3 - <<'EOF'\n"
        "import base64, glob, hashlib, json, os\n"
        "for path in sorted(glob.glob('embarc/records/*.dsse.json')):\n"
        "    h = os.path.basename(path)[:-len('.dsse.json')]\n"
        "    e = json.load(open(path)); body = base64.b64decode(e['payload']); t = e['payloadType'].encode()\n"
        "    open(h + '.record.json', 'wb').write(body)\n"
        "    open(h + '.pae', 'wb').write(b'DSSEv1 %d %s %d %s' % (len(t), t, len(body), body))\n"
        "    open(h + '.sig', 'wb').write(base64.b64decode(e['signatures'][0]['sig']))\n"
        "    print('ok ' if hashlib.sha256(body).hexdigest() == h else 'BAD', h, 'key', e['signatures'][0]['keyid'])\n"
        "EOF\n```\n\nThen check each signature with the key named by its `keyid`:\n\n```sh\n";
  for (std::size_t i = 0; i < in.records.size() && i < kMaxVerifyMdRecords; ++i) {
    const auto& r = in.records[i];
    md += "openssl pkeyutl -verify -pubin -inkey embarc/keys/" + r.key_id + ".pub.pem -rawin -in " + r.record_hash +
          ".pae -sigfile " + r.record_hash + ".sig\n";
  }
  if (in.records.size() > kMaxVerifyMdRecords) {
    md += "# ... and likewise for the other " + std::to_string(in.records.size() - kMaxVerifyMdRecords) + " records\n";
  }
  md += "```\n\nEach must print `Signature Verified Successfully`.\n\n";

  md += "## 4. Each record is in the log (RFC 9162 inclusion proof)\n\n"
        "The leaf hash is SHA-256 of a 0x00 byte followed by the record bytes; it must equal `leaf_hash` in\n"
        "`embarc/proofs/<hash>.json`:\n\n```sh\n";
  for (std::size_t i = 0; i < in.records.size() && i < kMaxVerifyMdRecords; ++i) {
    md += "(printf '\\000'; cat " + in.records[i].record_hash + ".record.json) | openssl dgst -sha256\n";
  }
  md += "```\n\nThe proof folds the leaf hash up to the checkpoint's root (RFC 9162 §2.1.3.2):\n\n```sh\npython3 - <<'EOF'\n"
        "import base64, glob, hashlib, json\n"
        "lines = open('embarc/checkpoint.txt').read().split('\\n')\n"
        "size, root = int(lines[1]), base64.b64decode(lines[2])\n"
        "node = lambda a, b: hashlib.sha256(b'\\x01' + a + b).digest()\n"
        "for path in sorted(glob.glob('embarc/proofs/*.json')):\n"
        "    p = json.load(open(path))\n"
        "    h = hashlib.sha256(b'\\x00' + open(p['record_hash'] + '.record.json', 'rb').read()).digest()\n"
        "    ok = h.hex() == p['leaf_hash'] and p['tree_size'] == size\n"
        "    fn, sn = p['leaf_index'], p['tree_size'] - 1\n"
        "    for s in map(bytes.fromhex, p['inclusion']):\n"
        "        if sn == 0: ok = False; break\n"
        "        if fn % 2 == 1 or fn == sn:\n"
        "            h = node(s, h)\n"
        "            while fn % 2 == 0 and fn != 0: fn >>= 1; sn >>= 1\n"
        "        else:\n"
        "            h = node(h, s)\n"
        "        fn >>= 1; sn >>= 1\n"
        "    print('ok ' if ok and sn == 0 and h == root else 'BAD', p['record_hash'], 'leaf', p['leaf_index'], 'of', size)\n"
        "EOF\n```\n\n";

  md += "## 5. The checkpoint is signed (C2SP signed note, Ed25519)\n\n"
        "The signature covers the note's first three lines (origin, tree size, base64 root), each ending in a newline;\n"
        "its base64 blob is a 4-byte key hash followed by the 64-byte signature:\n\n```sh\npython3 - <<'EOF'\n"
        "import base64\n"
        "body, sigs = open('embarc/checkpoint.txt', 'rb').read().split(b'\\n\\n', 1)\n"
        "open('checkpoint.body', 'wb').write(body + b'\\n')\n"
        "line = sigs.decode().strip().split('\\n')[0]\n"
        "open('checkpoint.sig', 'wb').write(base64.b64decode(line.rsplit(' ', 1)[1])[4:])\n"
        "EOF\n"
        "openssl pkeyutl -verify -pubin -inkey embarc/keys/" + in.checkpoint_key_id +
        ".pub.pem -rawin -in checkpoint.body -sigfile checkpoint.sig\n```\n\n";

  md += "## 6. Trusted time (RFC 3161)\n\n";
  if (in.timestamps.empty()) {
    md += "This package has no RFC 3161 timestamp of its checkpoint: the checkpoint's own signature is the only\n"
          "statement of when the log had these records.\n\n";
  } else {
    md += "The time-stamping authority signed the SHA-256 of the checkpoint note (`" + in.timestamps[0].note +
          "`, the same bytes as `embarc/checkpoint.txt`). `-attime` checks the TSA's chain as of the token's own genTime:\n\n```sh\n";
    for (const auto& t : in.timestamps) {
      md += "openssl ts -reply -in " + t.tsr + " -text | grep -E 'Time stamp|TSA'\n";
      if (in.anchors) {
        md += "openssl ts -verify -in " + t.tsr + " -data " + t.note + " -CAfile embarc/tsa-anchors.pem -attime " +
              std::to_string(t.gen_time_unix) + "\n";
      }
      md += "openssl ts -verify -in " + t.tsr + " -queryfile " + t.tsq + (in.anchors ? " -CAfile embarc/tsa-anchors.pem" : "") +
            " -attime " + std::to_string(t.gen_time_unix) + "\n";
    }
    md += "```\n\n";
    if (!in.anchors) {
      md += "The package has no TSA trust anchor (`embarc/tsa-anchors.pem`): supply the TSA's CA certificate with\n"
            "`-CAfile` yourself; until then the token's signature is checked but not its authority.\n\n";
    }
  }

  md += "## What a successful check proves, and what it does not\n\n"
        "Proven: the bytes in `archive/data.warc.gz` were received by the archiving agent from the URLs they name,\n"
        "and each snapshot record (the post's state and normalised content as read from those bytes) was signed by\n"
        "the key named in its envelope and included in the log no later than the checkpoint";
  md += in.timestamps.empty() ? ".\n" : ", which existed no later than the TSA's genTime.\n";
  md += "\nNot proven: that the platform's servers told the truth or served the same to everyone; that the archive\n"
        "captured nothing else (only the selected records are disclosed: the proofs reveal hashes of other log\n"
        "entries, never their contents); that the signing key was not misused by whoever held it. The keys in\n"
        "`embarc/keys/` are those the package claims: compare their key ids with ones published by the archive's\n"
        "operator.\n";
  return md;
}

}  // namespace embarc::bundle
