#include "maildiag/app/credentials.hpp"
#include "maildiag/util/base64.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace maildiag;

TEST_CASE("base64_encode matches RFC 4648 vectors", "[util][base64]") {
  CHECK(util::base64_encode("") == "");
  CHECK(util::base64_encode("f") == "Zg==");
  CHECK(util::base64_encode("fo") == "Zm8=");
  CHECK(util::base64_encode("foo") == "Zm9v");
  CHECK(util::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(util::base64_encode(std::string("\0alice\0s3cret", 13)) == "AGFsaWNlAHMzY3JldA==");
}

TEST_CASE("Redactor hides a secret in every wire form", "[app][credentials]") {
  app::Redactor r;
  r.add_credentials("alice", "s3cret");
  CHECK(r.apply("PASS s3cret") == "PASS <redacted>");
  CHECK(r.apply("AUTH PLAIN AGFsaWNlAHMzY3JldA==") == "AUTH PLAIN <redacted>");
  CHECK(r.apply(util::base64_encode("s3cret")) == "<redacted>");
  CHECK(r.apply("s3cret and s3cret") == "<redacted> and <redacted>");
  CHECK(r.apply("nothing here") == "nothing here");
}

TEST_CASE("read_secret takes the file first, then the environment, and never prompts without a TTY", "[app][credentials]") {
  const std::string path = "/tmp/maildiag-test-secret-" + std::to_string(::getpid());
  {
    std::ofstream f(path);
    f << "from-file\nsecond line\n";
  }
  std::string err;
  app::SecretSource src;
  src.file = path;
  CHECK(app::read_secret(src, &err) == std::string("from-file"));
  std::remove(path.c_str());
  CHECK_FALSE(app::read_secret(src, &err));
  CHECK(err.find("cannot read password file") == 0);

  app::SecretSource env_src;
  env_src.env = "MAILDIAG_TEST_SECRET_VAR";
  env_src.allow_prompt = false;
  ::setenv("MAILDIAG_TEST_SECRET_VAR", "from-env", 1);
  CHECK(app::read_secret(env_src, &err) == std::string("from-env"));
  ::unsetenv("MAILDIAG_TEST_SECRET_VAR");
  CHECK_FALSE(app::read_secret(env_src, &err));
  CHECK(err == "no password given: set MAILDIAG_TEST_SECRET_VAR or use --password-file");
}
