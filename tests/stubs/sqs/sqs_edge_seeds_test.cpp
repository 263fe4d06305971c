// The edge fuzz target's SQS seeds reach the SQS stub and are answered as valid requests, in the
// world the fuzz target runs them in, so the fuzzer starts from inside the SQS stub rather than
// from its error paths.
#include "edge_world.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace notify::fuzz {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SqsEdgeSeeds, EachReachesTheSqsStubAndSucceeds) {
  std::set<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(NOTIFY_EDGE_CORPUS)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sqs_", 0) != 0) continue;
    seeds.insert(name);
    EdgeWorld world;
    EXPECT_TRUE(world.handle(read_file(entry.path()))) << name;
    stubs::JournalQuery q;
    q.direction = "in";
    auto in = world.host.journal().query(q);
    ASSERT_EQ(in.size(), 1u) << name;
    EXPECT_EQ(in[0].service, "sqs") << name;
    EXPECT_EQ(in[0].status, 200) << name << ": " << in[0].response_body;
    EXPECT_EQ(in[0].outcome, "ok") << name << ": " << in[0].response_body;
  }
  // Both protocols, a batch, a FIFO send and a long-polled receive.
  for (const char* s : {"sqs_query_send", "sqs_query_receive", "sqs_json_send", "sqs_json_batch",
                        "sqs_fifo_send", "sqs_json_delete_batch"})
    EXPECT_TRUE(seeds.count(s)) << s;
}

TEST(SqsEdgeSeeds, TheReceiveSeedGetsTheWaitingMessage) {
  EdgeWorld world;
  ASSERT_TRUE(
      world.handle(read_file(std::filesystem::path(NOTIFY_EDGE_CORPUS) / "sqs_query_receive")));
  auto in = world.host.journal().query({});
  ASSERT_FALSE(in.empty());
  EXPECT_NE(in.back().response_body.find("<Body>waiting</Body>"), std::string::npos)
      << in.back().response_body;
}

}  // namespace
}  // namespace notify::fuzz
