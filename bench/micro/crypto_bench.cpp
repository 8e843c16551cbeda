// Micro-benchmarks of embarc's crypto wrappers: SHA-256, Ed25519 and DSSE envelopes.
#include <benchmark/benchmark.h>

#include <string>

#include "embarc/crypto/dsse.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/crypto/sha256.h"

namespace {

using namespace embarc;

const crypto::Ed25519Signer& Key() {
  static auto key = std::move(*crypto::Ed25519Signer::Generate());
  return *key;
}

const crypto::Verifier& VerifierOfKey() {
  static auto v = std::move(*crypto::Ed25519Verifier::FromRaw(Key().public_key()));
  return *v;
}

void BM_Sha256(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(crypto::Sha256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(65)->Arg(2048)->Arg(1 << 20);

void BM_Ed25519Sign(benchmark::State& state) {
  const std::string msg(1500, 'r');
  for (auto _ : state) benchmark::DoNotOptimize(Key().Sign(AsBytes(msg)));
}
BENCHMARK(BM_Ed25519Sign)->Unit(benchmark::kMicrosecond);

void BM_Ed25519Verify(benchmark::State& state) {
  const std::string msg(1500, 'r');
  const Bytes sig = *Key().Sign(AsBytes(msg));
  for (auto _ : state) {
    if (!VerifierOfKey().Verify(AsBytes(msg), sig)) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_Ed25519Verify)->Unit(benchmark::kMicrosecond);

void BM_SignEnvelope(benchmark::State& state) {
  const std::string record(1500, 'r');
  for (auto _ : state) {
    auto env = crypto::SignEnvelope(Key(), crypto::kSnapshotPayloadType, AsBytes(record));
    benchmark::DoNotOptimize(env->ToJson());
  }
}
BENCHMARK(BM_SignEnvelope)->Unit(benchmark::kMicrosecond);

// What verify does per snapshot signature: parse the envelope JSON and verify over PAE.
void BM_ParseAndVerifyEnvelope(benchmark::State& state) {
  const std::string record(1500, 'r');
  const std::string json = crypto::SignEnvelope(Key(), crypto::kSnapshotPayloadType, AsBytes(record))->ToJson();
  const auto find = [](std::string_view) -> const crypto::Verifier* { return &VerifierOfKey(); };
  for (auto _ : state) {
    auto env = crypto::Envelope::Parse(json);
    if (!env || !crypto::VerifyEnvelope(*env, find)) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_ParseAndVerifyEnvelope)->Unit(benchmark::kMicrosecond);

void BM_EnvelopeParse(benchmark::State& state) {
  const std::string record(1500, 'r');
  const std::string json = crypto::SignEnvelope(Key(), crypto::kSnapshotPayloadType, AsBytes(record))->ToJson();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::Envelope::Parse(json));
}
BENCHMARK(BM_EnvelopeParse)->Unit(benchmark::kMicrosecond);

}  // namespace
