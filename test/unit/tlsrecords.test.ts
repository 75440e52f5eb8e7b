import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClientFlightParser, ServerFlightParser } from '../../src/capture/tlsrecords.js';
import { HRR_RANDOM, parseCertificateMessage } from '../../src/capture/tls-messages.js';
import { decryptTls13Record, hkdfExpand, hkdfExpandLabel, tls13TrafficKeys } from '../../src/capture/tls13-decrypt.js';
import { alertFromErrorCode, sniFor } from '../../src/capture/tls.js';

/**
 * Real handshakes recorded once on loopback (Node 20.20.2 client and server, P-256 self-signed
 * "vector.test" certificate): the server -> client bytes up to the client's secureConnect, the
 * client -> server bytes, and SERVER_HANDSHAKE_TRAFFIC_SECRET from the client's 'keylog' event.
 * tls13-aes256gcm-hrr used a P-384-only server, so it starts with a HelloRetryRequest.
 */
interface Vector {
  name: string;
  secret: string | null;
  server: string;
  client?: string;
}

const CERT_HEX =
    '3082019a3082013fa003020102021452c749366d4de0aa58351b65870230dadfbc3bdc300a06082a8648ce3d04030230' +
    '163114301206035504030c0b766563746f722e74657374301e170d3236313132343134323035365a170d333631313231' +
    '3134323035365a30163114301206035504030c0b766563746f722e746573743059301306072a8648ce3d020106082a86' +
    '48ce3d030107034200049adc4d6ff0b888e12c70c9185f82d0df176c71dd8ef6b28dd83317c33ea448114baf645909c8' +
    'd4e5a3d203e2adc509638a0d2bcbda90baaba6f90aaa4953c5aba36b3069301d0603551d0e04160414ce5ea664ff45ed' +
    '03cc02cc959ef1e761dad84491301f0603551d23041830168014ce5ea664ff45ed03cc02cc959ef1e761dad84491300f' +
    '0603551d130101ff040530030101ff30160603551d11040f300d820b766563746f722e74657374300a06082a8648ce3d' +
    '0403020349003046022100f9c9de4d503f298b288fb90e8abbd30604cf0364030ad4274826d90642206a1d022100aa13' +
    '52e0a66d74db4e8d69a24e55fbdf369b54d7c8f17a24c57a242e1e887133';

const VECTORS: Vector[] = [
  {
    name: 'tls13-aes128gcm',
    secret: '7f964de92ab22204f60fb6692dce4a07d845fd66683a5e3283cf5a850f05703e',
    server:
    '160303007a0200007603036c737c420d832fbc7f858108f76512d8e48dad5e2fcc7eb2ef865b313d5656ab2020936859' +
    'f8c51fa9d0c827818a98aeb12a4b2a5f8c187fb4e9109fb3e46e9283130100002e002b0002030400330024001d002033' +
    'f6f14532ff436d9e136d085b8b61d3fddcea38250ea3fb1fd4858145bb524d14030300010117030300176ce64edc1c0c' +
    'dd3356129c01fed08ac1c87a7e902ffb3c17030301bcd5cec2e09dee7aacf1f7209e6b472efe5a7144693e28b19f94df' +
    'b60cdf2411af81099e1014d5725bbd542ebc1eb4aae3e4c626417b562aa0d491375e671039161dbc5a20c807c03de6c9' +
    'c43e4e5b445ae8adba7dd1425542035e98cfb5bb7dd7503cee5d3e5c174c8afbd6f990a96793204568e85cb9487d2baf' +
    '1297b6d4e4d7b515cfc10992c169befe4b70efcc4f877021377e5fb8637b1e4be6565ae28f73ac880556432b0d4d779a' +
    '9d1354890eb9c8b2779e6cd98b4c916b2ab3ae7fde02ab0a6941dc4cac675c3fc9ba0aefc4b885a1691092d8e583a98d' +
    '7817cb2a904f833f8fb30c5907918aa29402696625b8eee7f99646f5d907b21138edf54258da338a9310b3c4c3402105' +
    'b23da172ccfae1c500ad78651aa5ccedf5382a1418384ea0a54bc760f3e9c7bacc2de501daeff640eef6be0d3d12a0c2' +
    'af0ae72ce7c8de52e0437faebd2b4b4cdd7bf35362f32b951e563f7630c33bbc8a53482e6aea7fc83684359dadd99505' +
    '22b853dbf5e993c4274036c3fb6cd00b8cec3c4149b688bcb7fbf34baf15c102c9549487d0f8586f4f5e49c4d55a2f0f' +
    '8a700bca2471ad190120e9d34c289d3c515c3b1923256cacfe2bdaa9f489132eef1217030300615486055a1a642e749f' +
    '3d151c672c10969c538ce9c01f8e803ac465a7dcb258ce27cb6cd999e9dddcfb8a5befcabfef7ac6ddc3824464d324dc' +
    '50ab7b1d4e5c2e7da720766a21317f44dea980501bbde153ca2594870c939a2d881b58ee8f0017731703030035ff8892' +
    '8e16f2deec611447bb7d75198575fe8c7c192da2c2cfdc96f5ed760e9181f983c74a3824d4584292ddf885899115f219' +
    '6ca4',
    client:
    '160301017e0100017a0303b541cba05dfad5f04f5ac111fd3c7cebe597d0e438c81c390a4b16e38c3bab6b2020936859' +
    'f8c51fa9d0c827818a98aeb12a4b2a5f8c187fb4e9109fb3e46e92830076130213031301c02fc02bc030c02c009ec027' +
    '0067c028006b00a3009fcca9cca8ccaac0afc0adc0a3c09fc05dc061c057c05300a2c0aec0acc0a2c09ec05cc060c056' +
    'c052c024006ac0230040c00ac01400390038c009c01300330032009dc0a1c09dc051009cc0a0c09cc050003d003c0035' +
    '002f00ff010000bb00000010000e00000b766563746f722e74657374000b000403000102000a00160014001d0017001e' +
    '0019001801000101010201030104002300000010000e000c02683208687474702f312e310016000000170000000d002a' +
    '0028040305030603080708080809080a080b080408050806040105010601030303010302040205020602002b00050403' +
    '040303002d00020101003300260024001d002021af80bb8102c7034bc55efca5b24c1195f071767678a6f0ac30745c99' +
    '84d603',
  },
  {
    name: 'tls13-aes256gcm-hrr',
    secret: '4c41173c290f79114061b98bdf981bb3411287fa548793baabbf94eed70f23170efa9bbb5c48560406be51f3b60fd473',
    server:
    '1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20e9a902bb' +
    'f56d0a821e847a9cd0c6b55796280e597e27d347ff9d31689f2dbb98130200000c002b00020304003300020018140303' +
    '00010116030300bb020000b70303993892e845bb43cab8b0c03c1bd4a46ad600fce7b2a6819e2b0897ef6162c88520e9' +
    'a902bbf56d0a821e847a9cd0c6b55796280e597e27d347ff9d31689f2dbb98130200006f002b00020304003300650018' +
    '0061046fc447ceb8694200a7d2fdada7c069036b4cf9afacb64af76556164d22bed0fd9b65de6553d057e9ff485b707d' +
    'c2b007a3eb93b194f560d25380393c7e8b6c810d8ad66d2ea6a9a179e3ee49c243f6bcd035d11fc0b2b5e7ca37118835' +
    'e5160d17030300176b943ca2e9fc1e421a34ce2400d7a955e945969fee190517030301bc3caba1243ffe777af3946b55' +
    '2fa0458aa83da95fd0fd08c9c4e1c9ae6d1208972215023977252a4ef08192352d3f7b291567ed5a8154f160d5150ab4' +
    '19b8b728c5c39a5d1c8b79da9164abe5d6d706c598c748a0f9934f2525e5dfefc5bf8d91230df8c0d8928fa0ca8a9bf7' +
    '42cc2d983240fadd3f48fc7898c8ae0b10c892594fda334bbf250d7d8218e75c72e87bb90a8d3c5a9fb3ed9d3a63625f' +
    'a4cd882bbba687aace2fb1f18fdb6613c7f5f842cf5cad80ee3e6cfd4b59fc00206ba999373235d7f1b3a781d29a7576' +
    'bbb9728e6d70f86bc18f9d31afb39172853878d58b9c19495f5d18069848ca3a8920c9d9cdbfa5e9e61e084d2d461098' +
    '1fed43ac4d001c51f9cda317c40222b5db7853b2f33fd94bbb9c95eb7b1dafd8a829f5e638de811f751f97fe46b0a207' +
    '6193da061e1767d04b47ac018b0a89d9e6dc7d3914966ff1bc9331324e2b28ed71bf35ba47d8470a61377cc054512469' +
    'ce78459d402101e50a81221259026410b39e3904b4308a175bf734214e693c8ec4f620edb84ed645c0ae716fe481a7ef' +
    'f54db330cd0bb8d64960a959766a715545298ca82bd206f9e8d514191ea1be0810f84579d04c130c9db25cd8c775814a' +
    '1703030060721afd63a78199e4df85e0ba699b76a0e4ac0210964ebfca8d30b2b1c47f20f0762de8ba963935242a4e81' +
    'b05bdcb0e37fe7e9fcf5533264c9ebe0f9b0e8c6f036082b88da6f3cb005bcefe88d14b7cab35202831e798e72d9af99' +
    '8c3bd50f4617030300459d6f24b07918660b44364fad05382bbd4d27d1f3703d9df0356cf0a6fadf89d755f1160c7ba6' +
    'c63ba8eb80cbc51ecfb098e325216db4ac1c14eaf407134b5f643e903112c8',
    client:
    '1603010158010001540303ac78acd474dd2f19b3927de90f8d0d13d17e3e622628327e8b9dbb83ed8f0eac20e9a902bb' +
    'f56d0a821e847a9cd0c6b55796280e597e27d347ff9d31689f2dbb980076130213031301c02fc02bc030c02c009ec027' +
    '0067c028006b00a3009fcca9cca8ccaac0afc0adc0a3c09fc05dc061c057c05300a2c0aec0acc0a2c09ec05cc060c056' +
    'c052c024006ac0230040c00ac01400390038c009c01300330032009dc0a1c09dc051009cc0a0c09cc050003d003c0035' +
    '002f00ff01000095000b000403000102000a00160014001d0017001e0019001801000101010201030104002300000016' +
    '000000170000000d002a0028040305030603080708080809080a080b0804080508060401050106010303030103020402' +
    '05020602002b00050403040303002d00020101003300260024001d0020609fa2f74c5f43c38f0c9cacd61b559f3725af' +
    '5cba50047b7d2fe97e882dda371403030001011603030199010001950303ac78acd474dd2f19b3927de90f8d0d13d17e' +
    '3e622628327e8b9dbb83ed8f0eac20e9a902bbf56d0a821e847a9cd0c6b55796280e597e27d347ff9d31689f2dbb9800' +
    '76130213031301c02fc02bc030c02c009ec0270067c028006b00a3009fcca9cca8ccaac0afc0adc0a3c09fc05dc061c0' +
    '57c05300a2c0aec0acc0a2c09ec05cc060c056c052c024006ac0230040c00ac01400390038c009c01300330032009dc0' +
    'a1c09dc051009cc0a0c09cc050003d003c0035002f00ff010000d6000b000403000102000a00160014001d0017001e00' +
    '19001801000101010201030104002300000016000000170000000d002a0028040305030603080708080809080a080b08' +
    '0408050806040105010601030303010302040205020602002b00050403040303002d0002010100330067006500180061' +
    '0467a5b5ef836f2020f2a105546d5e4ed6ed7056fa786af31ed0fc4b3dd7af0da0751433b91c92e5ab5267352857d633' +
    '11ca64777b03f906553ffb8b75235b8c2cc70a9c02bd32377a75fa2f8d3c5c89fdc96b97ff1dd2b23dbc1d496802074d' +
    'f7',
  },
  {
    name: 'tls13-chacha20',
    secret: '2a6543cc5402a427e90ec83637be288b9b1d10bc05dbf2450688ce7a0cb75a9b',
    server:
    '160303007a020000760303abb65a087eeefa907aa10bc90ce07248a5aa456f6c7ba178afb2312fe6b4aeb520abef1406' +
    '9b3be58ed7366d2eae3b15d2724e2fdc8212fb96c9b999344a2f22f5130300002e002b0002030400330024001d002068' +
    'cd6934910cda387dd314ea655d0f2f94fa1dc4323faee51d1e84c4779ecf4a1403030001011703030017b0ee36f137ca' +
    '50207e58da142e24f3654a5ae6346d667917030301bc5ed179b426863f59a6ceba2587a83c590834685db537991d2033' +
    '5cc1e0a1b1127377b3f77a400d5e0a12b75b3699a585edbbfa483288ee8803ade615d03568c0b4ea19d6d371abb9cb7e' +
    '8d7f3e4447e156efc0fad452aa7d2494eded141521aa0c0d42f573d33e3a96af9a870162ce731c64d9c27f3856247fef' +
    'f8f95591cb09ef3567d72c05df55337dd855b8aeb5b24115a14102d98276d650f9546bb446d3a3c1d2035190d14242cd' +
    'd1bc5067763b43474501bd90d0672948e93db5adf4c363663892d9e22681d93365e81662ecceba24f0a3e0264015979f' +
    '9bc528047c1c644e7e0c682be0d39066cd3c37257d5524d75047957b7e5199ab2a91cc1458591c6e2991954bb68e3bf4' +
    '4057b5c12bfa1a77725f382d8a059390093c77161c0b90447666ef625c9c61235ec9df2c9e2ae92aaa37cbfc09b0736e' +
    '87c62373c3be2dce1538f1b04dd5a75197e9a2fab366f6e78f202dacacd13e7309a1165acac3fefc796f30fd14857ad7' +
    '1acd35d1905ea298c5e275e5183ea4ddb5bb52b5a25f00ea35b1ce3ce90a1dfb39f3918f506c3794d2475b67c3617d89' +
    'a83e971f0335a7ad5f9ac0e5435cf28e208b0354df5004a295eb2c559decdf282a301703030060d979d13decd9875c34' +
    '4c90f6001045aeb4d6049b55f848ae749527930dfb54a5a605be9efb7d931028a7328380e04dbe5a53b924b7a552f3eb' +
    'ea4edfbdba4a5624f404a8502108f652561270c7143ab4c28e618997a7535b5e2500e2bdf1919317030300359411606c' +
    '7eea32aca667f996b9e7ea62c77c8e2c88033f06ba9a3b0aba7269d30784d72d8bd73a5ce83b52868339efeee2c8b4e7' +
    '21',
  },
  {
    name: 'tls12-ecdhe',
    secret: null,
    server:
    '16030300410200003d030325651687109e373fef325d76bd94129c3259b59597c1616a32bf8d989e45c24900c02b0000' +
    '15ff01000100000b000403000102002300000017000016030301a80b0001a40001a100019e3082019a3082013fa00302' +
    '0102021452c749366d4de0aa58351b65870230dadfbc3bdc300a06082a8648ce3d04030230163114301206035504030c' +
    '0b766563746f722e74657374301e170d3236313132343134323035365a170d3336313132313134323035365a30163114' +
    '301206035504030c0b766563746f722e746573743059301306072a8648ce3d020106082a8648ce3d030107034200049a' +
    'dc4d6ff0b888e12c70c9185f82d0df176c71dd8ef6b28dd83317c33ea448114baf645909c8d4e5a3d203e2adc509638a' +
    '0d2bcbda90baaba6f90aaa4953c5aba36b3069301d0603551d0e04160414ce5ea664ff45ed03cc02cc959ef1e761dad8' +
    '4491301f0603551d23041830168014ce5ea664ff45ed03cc02cc959ef1e761dad84491300f0603551d130101ff040530' +
    '030101ff30160603551d11040f300d820b766563746f722e74657374300a06082a8648ce3d0403020349003046022100' +
    'f9c9de4d503f298b288fb90e8abbd30604cf0364030ad4274826d90642206a1d022100aa1352e0a66d74db4e8d69a24e' +
    '55fbdf369b54d7c8f17a24c57a242e1e88713316030300730c00006f03001d20be8a4fa7f89bb5e441f4fbdd36f34017' +
    '34d8fa820ae71904e69e419d752f1504040300473045022100a21f839548facfea48e7dadbd0e1f441795fe23acbd9c8' +
    '8215b0eaa5aa2c1102022007553e567fc9f1c4fcb22073f4ff64d449a2e4df0ff15a24adbc46fe017940f11603030004' +
    '0e00000016030300ca040000c600001c2000c02cf7e31a3d5ceccf453e6074d2bb7b5c56db66877350374de846b498ea' +
    '5673f624b02cfe68ee3ce074bc55e49bceddb599be5f359dbb38a7cfaff419db914428fcb8ce239cecb6f54d38ca6ea6' +
    '68c82b4a3b6f290f6b38bb7c98635a47e2422afbc52adeceef005694126601bea7cf1b70dde5362c0465e49f537078c2' +
    'c3054439396e717a50e5aaec6cfe34ff82ab099cc4209da3a9917ed43751f274906ecdc025475f1993eb9598807aeb77' +
    'd11acf3ee86f6d7821d31a3361b511b6555b031403030001011603030028a5356aa654ce8bde33219291111f31e78966' +
    'a1a48583ad483a2f61eace4712af652717f678f98372150303001aa5356aa654ce8bdf156e06a8d0a60afb6f7f8734d1' +
    '74744b2e3d',
  },
];

const CERT = Buffer.from(CERT_HEX, 'hex');
const vec = (name: string): Vector => VECTORS.find((v) => v.name === name)!;

/** Deterministic PRNG (mulberry32) so a failing slice pattern can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slices(buf: Buffer, seed: number, min = 1, max = 7): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const n = min + Math.floor(r() * (max - min + 1));
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Feed in slices; hand over the secret once the parser has seen the ServerHello, like keylog does. */
function runServer(v: Vector, seed: number, opts: { secret?: Buffer | null; lazySecret?: boolean; maxBytes?: number; stopAfterCertificate?: boolean } = {}): ServerFlightParser {
  const p = new ServerFlightParser({
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.stopAfterCertificate !== undefined ? { stopAfterCertificate: opts.stopAfterCertificate } : {}),
  });
  const secret = opts.secret === undefined ? (v.secret === null ? null : Buffer.from(v.secret, 'hex')) : opts.secret;
  let given = false;
  for (const s of slices(Buffer.from(v.server, 'hex'), seed)) {
    p.feed(s);
    if (!opts.lazySecret && !given && secret !== null && p.serverHello !== undefined) {
      p.setHandshakeSecret(secret);
      given = true;
    }
  }
  if (!given && secret !== null) p.setHandshakeSecret(secret);
  return p;
}

const u8 = (n: number): Buffer => Buffer.from([n]);
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number): Buffer => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const vec8 = (b: Buffer): Buffer => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
const vec24 = (b: Buffer): Buffer => Buffer.concat([u24(b.length), b]);
const hs = (type: number, body: Buffer): Buffer => Buffer.concat([u8(type), u24(body.length), body]);
const record = (type: number, body: Buffer, version = 0x0303): Buffer => Buffer.concat([u8(type), u16(version), u16(body.length), body]);

function serverHello(opts: { version: 0x0303 | 0x0304; suite: number; hrr?: boolean }): Buffer {
  const exts = opts.version === 0x0304 ? Buffer.concat([u16(43), vec16(u16(0x0304))]) : Buffer.alloc(0);
  return hs(2, Buffer.concat([
    u16(0x0303),
    opts.hrr === true ? HRR_RANDOM : Buffer.alloc(32, 7),
    vec8(Buffer.alloc(32, 1)),
    u16(opts.suite),
    u8(0),
    vec16(exts),
  ]));
}

/** Cut a byte stream of handshake messages into records of random sizes (messages span and share records). */
function intoRecords(type: number, data: Buffer, seed: number, maxLen = 300): Buffer {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(r() * maxLen);
    out.push(record(type, data.subarray(i, i + n)));
    i += n;
  }
  return Buffer.concat(out);
}

// Three distinct fake "certificates": the parser treats them as opaque DER.
const FAKE = [Buffer.alloc(700, 0xa1), Buffer.alloc(1300, 0xb2), Buffer.alloc(40, 0xc3)];
const OCSP = Buffer.from('3003020100', 'hex');

describe('ServerFlightParser on recorded real handshakes', () => {
  for (const name of ['tls13-aes128gcm', 'tls13-aes256gcm-hrr', 'tls13-chacha20', 'tls12-ecdhe']) {
    it(`${name}: exact certificate list in 1-7 byte slices (20 seeds)`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const p = runServer(vec(name), seed);
        expect(p.stopped).toBe('complete');
        expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([CERT]);
        expect(p.notCapturedReason()).toBeUndefined();
      }
    });
  }

  it('stopAfterCertificate: TLS 1.3 stops at the Certificate with the same list; TLS 1.2 still reads to ServerHelloDone', () => {
    for (const name of ['tls13-aes128gcm', 'tls13-aes256gcm-hrr', 'tls13-chacha20']) {
      for (const lazySecret of [false, true]) {
        const p = runServer(vec(name), 9, { stopAfterCertificate: true, lazySecret });
        expect(p.stopped).toBe('certificate');
        expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([CERT]);
        expect(p.notCapturedReason()).toBeUndefined();
      }
    }
    const t = runServer(vec('tls12-ecdhe'), 9, { stopAfterCertificate: true });
    expect(t.stopped).toBe('complete');
    expect(t.certificates?.map((c) => Buffer.from(c.der))).toEqual([CERT]);
  });

  it('reads version, suite and HelloRetryRequest from the wire', () => {
    const a = runServer(vec('tls13-aes128gcm'), 1);
    expect([a.version, a.serverHello?.cipherSuite, a.helloRetryRequest, a.isTls13]).toEqual([0x0304, 0x1301, false, true]);
    const h = runServer(vec('tls13-aes256gcm-hrr'), 2);
    expect([h.version, h.serverHello?.cipherSuite, h.helloRetryRequest]).toEqual([0x0304, 0x1302, true]);
    const c = runServer(vec('tls13-chacha20'), 3);
    expect(c.serverHello?.cipherSuite).toBe(0x1303);
    const t = runServer(vec('tls12-ecdhe'), 4);
    expect([t.version, t.isTls13, t.helloRetryRequest]).toEqual([0x0303, false, false]);
  });

  it('decrypts lazily when the secret arrives after all records', () => {
    const p = runServer(vec('tls13-aes256gcm-hrr'), 5, { lazySecret: true });
    expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([CERT]);
  });

  it('accepts the secret before the ServerHello is parsed', () => {
    const v = vec('tls13-aes128gcm');
    const p = new ServerFlightParser();
    p.setHandshakeSecret(Buffer.from(v.secret!, 'hex'));
    p.feed(Buffer.from(v.server, 'hex'));
    expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([CERT]);
  });

  it('reports a wrong secret as a decrypt failure, never a wrong chain', () => {
    const p = runServer(vec('tls13-aes128gcm'), 6, { secret: Buffer.alloc(32, 9) });
    expect(p.certificates).toBeNull();
    expect(p.stopped).toBe('decrypt-failed');
    expect(p.notCapturedReason()).toMatch(/decrypt/);
  });

  it('without the secret: not captured, with the reason', () => {
    const p = runServer(vec('tls13-chacha20'), 7, { secret: null });
    expect(p.certificates).toBeNull();
    expect(p.stopped).toBeUndefined();
    expect(p.notCapturedReason()).toMatch(/secret not available/);
  });

  it('stops buffering at Finished: later bytes are ignored', () => {
    const v = vec('tls13-aes128gcm');
    const p = runServer(v, 8);
    const seen = p.bytesSeen;
    p.feed(Buffer.alloc(1000, 0xff));
    expect(p.bytesSeen).toBe(seen);
    expect(p.stopped).toBe('complete');
  });

  it('caps the flight: too-large instead of unbounded buffering', () => {
    const p = runServer(vec('tls12-ecdhe'), 9, { maxBytes: 200 });
    expect(p.stopped).toBe('too-large');
    expect(p.certificates).toBeNull();
    expect(p.notCapturedReason()).toMatch(/200-byte cap/);
  });
});

describe('ClientFlightParser on our recorded ClientHellos', () => {
  it('reads SNI and ALPN, in 1-7 byte slices', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const p = new ClientFlightParser();
      for (const s of slices(Buffer.from(vec('tls13-aes128gcm').client!, 'hex'), seed)) p.feed(s);
      expect(p.hello?.sni).toBe('vector.test');
      expect(p.hello?.alpn).toEqual(['h2', 'http/1.1']);
      expect(p.hello?.compressCertificate).toBeNull();
      expect(p.hello?.supportedVersions).toContain(0x0304);
      expect(p.hello?.random.length).toBe(32);
      expect(p.helloCount).toBe(1);
    }
  });

  it('no SNI and no ALPN when none were offered; counts the second ClientHello after HRR', () => {
    const p = new ClientFlightParser();
    for (const s of slices(Buffer.from(vec('tls13-aes256gcm-hrr').client!, 'hex'), 3)) p.feed(s);
    expect(p.hello?.sni).toBeNull();
    expect(p.hello?.alpn).toBeNull();
    expect(p.helloCount).toBe(2);
  });
});

describe('ServerFlightParser on synthetic TLS 1.2 flights', () => {
  const cert12 = hs(11, vec24(Buffer.concat([vec24(FAKE[0]!), vec24(FAKE[1]!), vec24(FAKE[1]!), vec24(FAKE[2]!)])));
  const status = hs(22, Buffer.concat([u8(1), vec24(OCSP)]));
  const flight = Buffer.concat([serverHello({ version: 0x0303, suite: 0xc02f }), cert12, status, hs(12, Buffer.alloc(100, 3)), hs(14, Buffer.alloc(0))]);

  it('keeps order and duplicates, and the CertificateStatus, across odd record and read boundaries', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const wire = intoRecords(22, flight, seed);
      const p = new ServerFlightParser();
      for (const s of slices(wire, seed * 7)) p.feed(s);
      expect(p.stopped).toBe('complete');
      expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([FAKE[0], FAKE[1], FAKE[1], FAKE[2]]);
      expect(p.certificates?.every((c) => c.extensions.length === 0)).toBe(true);
      expect(Buffer.from(p.ocsp!)).toEqual(OCSP);
    }
  });

  it('an abbreviated (resumed) handshake: CCS before any Certificate', () => {
    const p = new ServerFlightParser();
    p.feed(Buffer.concat([record(22, serverHello({ version: 0x0303, suite: 0xc02f })), record(20, u8(1)), record(22, Buffer.alloc(40, 5))]));
    expect(p.stopped).toBe('ccs');
    expect(p.certificates).toBeNull();
    expect(p.notCapturedReason()).toMatch(/no Certificate message/);
  });

  it('a fatal alert before the certificate', () => {
    const p = new ServerFlightParser();
    p.feed(record(21, Buffer.from([2, 40])));
    expect(p.stopped).toBe('alert');
    expect(p.alert).toEqual({ level: 2, description: 40, encrypted: false });
    expect(p.notCapturedReason()).toMatch(/alert 40 \(handshake_failure\)/);
  });

  it('a warning unrecognized_name does not stop the capture', () => {
    const p = new ServerFlightParser();
    p.feed(Buffer.concat([record(21, Buffer.from([1, 112])), intoRecords(22, flight, 3)]));
    expect(p.stopped).toBe('complete');
    expect(p.certificates?.length).toBe(4);
    expect(p.alert?.description).toBe(112);
  });

  it('plain HTTP is "not TLS" from the first byte', () => {
    const p = new ServerFlightParser();
    p.feed(Buffer.from('H'));
    expect(p.stopped).toBe('not-tls');
    p.feed(Buffer.from('TTP/1.1 400 Bad Request\r\n\r\n'));
    expect(p.notCapturedReason()).toMatch(/did not speak TLS/);
  });

  it('a record longer than TLS allows, and lying inner lengths, end parsing without throwing', () => {
    const a = new ServerFlightParser();
    a.feed(Buffer.from([22, 3, 3, 0xff, 0xff]));
    expect(a.stopped).toBe('error');
    const b = new ServerFlightParser();
    const lying = hs(11, Buffer.concat([u24(50), u24(4000), Buffer.alloc(10)]));
    b.feed(record(22, Buffer.concat([serverHello({ version: 0x0303, suite: 0xc02f }), lying])));
    expect(b.stopped).toBe('error');
    expect(b.certificates).toBeNull();
    expect(b.notCapturedReason()).toMatch(/truncated/);
  });

  it('random garbage after a valid header never throws (fuzz, bounded)', () => {
    const r = rng(42);
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(r() * 400);
      const body = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
      const p = new ServerFlightParser({ maxBytes: 4096 });
      const wire = Buffer.concat([record(22, serverHello({ version: r() < 0.5 ? 0x0303 : 0x0304, suite: 0x1301 })), record(22 + Math.floor(r() * 2), body)]);
      expect(() => {
        for (const s of slices(wire, i)) p.feed(s);
        p.setHandshakeSecret(Buffer.alloc(32, 1));
        p.notCapturedReason();
      }).not.toThrow();
    }
  });
});

/** Build a TLS 1.3 encrypted flight ourselves (exercises CCM/CCM_8 and entry extensions). */
function tls13Flight(suite: number, secret: Buffer, messages: Buffer, seed: number, padding = 0): Buffer {
  const keys = tls13TrafficKeys(suite, secret);
  const r = rng(seed);
  const out: Buffer[] = [record(22, serverHello({ version: 0x0304, suite })), record(20, u8(1))];
  let seq = 0n;
  for (let i = 0; i < messages.length; ) {
    const n = 1 + Math.floor(r() * 500);
    const inner = Buffer.concat([messages.subarray(i, i + n), u8(22), Buffer.alloc(padding)]);
    i += n;
    const nonce = Buffer.from(keys.iv);
    const sb = Buffer.alloc(8);
    sb.writeBigUInt64BE(seq++);
    for (let j = 0; j < 8; j++) nonce[4 + j]! ^= sb[j]!;
    const tagLen = keys.params.tagLen;
    const header = Buffer.concat([u8(23), u16(0x0303), u16(inner.length + tagLen)]);
    let ct: Buffer;
    let tag: Buffer;
    if (keys.params.cipher === 'aes-128-ccm') {
      const c = createCipheriv('aes-128-ccm', keys.key, nonce, { authTagLength: tagLen });
      c.setAAD(header, { plaintextLength: inner.length });
      ct = Buffer.concat([c.update(inner), c.final()]);
      tag = c.getAuthTag();
    } else {
      const c = createCipheriv(keys.params.cipher as 'aes-128-gcm', keys.key, nonce, { authTagLength: 16 });
      c.setAAD(header);
      ct = Buffer.concat([c.update(inner), c.final()]);
      tag = c.getAuthTag();
    }
    out.push(header, ct, tag);
  }
  return Buffer.concat(out);
}

function entry(der: Buffer, exts: { type: number; data: Buffer }[]): Buffer {
  return Buffer.concat([vec24(der), vec16(Buffer.concat(exts.map((e) => Buffer.concat([u16(e.type), vec16(e.data)]))))]);
}

describe('TLS 1.3 decryption on synthetic flights', () => {
  const statusExt = Buffer.concat([u8(1), vec24(OCSP)]);
  const sct = Buffer.from('00040002abcd', 'hex');
  const certMsg = hs(11, Buffer.concat([vec8(Buffer.alloc(0)), vec24(Buffer.concat([
    entry(FAKE[0]!, [{ type: 5, data: statusExt }, { type: 18, data: sct }]),
    entry(FAKE[2]!, []),
    entry(FAKE[2]!, []),
    entry(FAKE[1]!, []),
  ]))]));
  const messages = Buffer.concat([hs(8, vec16(Buffer.alloc(0))), hs(13, Buffer.alloc(20, 1)), certMsg, hs(15, Buffer.alloc(80, 2)), hs(20, Buffer.alloc(32, 3))]);

  for (const suite of [0x1301, 0x1302, 0x1303, 0x1304, 0x1305]) {
    it(`suite 0x${suite.toString(16)}: list, entry extensions and the leaf's OCSP staple`, () => {
      const secret = Buffer.alloc(suite === 0x1302 ? 48 : 32, suite & 0xff);
      for (let seed = 1; seed <= 5; seed++) {
        const wire = tls13Flight(suite, secret, messages, seed, seed % 2 === 0 ? 7 : 0);
        const p = new ServerFlightParser();
        let given = false;
        for (const s of slices(wire, seed + 100)) {
          p.feed(s);
          if (!given && p.serverHello !== undefined) {
            p.setHandshakeSecret(secret);
            given = true;
          }
        }
        expect(p.stopped).toBe('complete');
        expect(p.certificates?.map((c) => Buffer.from(c.der))).toEqual([FAKE[0], FAKE[2], FAKE[2], FAKE[1]]);
        expect(p.certificates?.[0]?.extensions.map((e) => e.type)).toEqual([5, 18]);
        expect(Buffer.from(p.certificates![0]!.extensions[1]!.data)).toEqual(sct);
        expect(Buffer.from(p.ocsp!)).toEqual(OCSP);
      }
    });
  }

  it('a CompressedCertificate is reported, not misread', () => {
    const secret = Buffer.alloc(32, 4);
    const msgs = Buffer.concat([hs(8, vec16(Buffer.alloc(0))), hs(25, Buffer.concat([u16(2), u24(100), vec24(Buffer.alloc(30))])), hs(20, Buffer.alloc(32))]);
    const p = new ServerFlightParser();
    p.setHandshakeSecret(secret);
    p.feed(tls13Flight(0x1301, secret, msgs, 1));
    expect(p.stopped).toBe('compressed');
    expect(p.notCapturedReason()).toMatch(/RFC 8879/);
  });

  it('an encrypted alert before the certificate', () => {
    const secret = Buffer.alloc(32, 5);
    const keys = tls13TrafficKeys(0x1301, secret);
    const inner = Buffer.from([2, 116, 21]);
    const header = Buffer.concat([u8(23), u16(0x0303), u16(inner.length + 16)]);
    const c = createCipheriv('aes-128-gcm', keys.key, keys.iv, { authTagLength: 16 });
    c.setAAD(header);
    const body = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
    expect(decryptTls13Record(keys, 0n, header, body)).toEqual({ type: 21, content: Buffer.from([2, 116]) });
    const p = new ServerFlightParser();
    p.setHandshakeSecret(secret);
    p.feed(Buffer.concat([record(22, serverHello({ version: 0x0304, suite: 0x1301 })), header, body]));
    expect(p.alert).toEqual({ level: 2, description: 116, encrypted: true });
    expect(p.stopped).toBe('alert');
  });

  it('HKDF-Expand-Label: label encoding and output length', () => {
    const s = Buffer.alloc(32, 1);
    const a = hkdfExpandLabel('sha256', s, 'key', Buffer.alloc(0), 16);
    const b = hkdfExpandLabel('sha256', s, 'key', Buffer.alloc(0), 32);
    expect(a.length).toBe(16);
    // The length is part of the label, so a longer output is not an extension of a shorter one.
    expect(b.subarray(0, 16).equals(a)).toBe(false);
    expect(hkdfExpandLabel('sha384', Buffer.alloc(48, 1), 'iv', Buffer.alloc(0), 12).length).toBe(12);
  });

  it('HKDF-Expand agrees with node:crypto HKDF (Extract done by hand) for one and several blocks', () => {
    const ikm = Buffer.alloc(22, 0x0b), salt = Buffer.from('000102030405060708090a0b0c', 'hex'), info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex');
    for (const hash of ['sha256', 'sha384'] as const) {
      const prk = createHmac(hash, salt).update(ikm).digest();
      for (const len of [12, 16, 32, 42, 48, 100]) {
        expect(hkdfExpand(hash, prk, info, len).equals(Buffer.from(hkdfSync(hash, ikm, salt, info, len)))).toBe(true);
      }
    }
  });

  it('parseCertificateMessage rejects trailing bytes', () => {
    expect(() => parseCertificateMessage(Buffer.concat([vec24(vec24(FAKE[2]!)), u8(0)]), false)).toThrow(/trailing/);
  });
});

describe('tls.ts pure helpers', () => {
  it('never sends an IP literal as SNI', () => {
    expect(sniFor('backend.test')).toBe('backend.test');
    expect(sniFor('127.0.0.1')).toBeUndefined();
    expect(sniFor('::1')).toBeUndefined();
    expect(sniFor('[::1]')).toBeUndefined();
    expect(sniFor('fe80::1%eth0')).toBeUndefined();
    expect(sniFor('')).toBeUndefined();
    expect(sniFor(undefined)).toBeUndefined();
  });

  it('maps Node alert error codes to alert numbers', () => {
    expect(alertFromErrorCode('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')).toBe(40);
    expect(alertFromErrorCode('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')).toBe(70);
    expect(alertFromErrorCode('ERR_SSL_TLSV1_UNRECOGNIZED_NAME')).toBe(112);
    expect(alertFromErrorCode('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL')).toBe(120);
    expect(alertFromErrorCode('ERR_SSL_WRONG_VERSION_NUMBER')).toBeUndefined();
    expect(alertFromErrorCode('ECONNRESET')).toBeUndefined();
  });
});
