// [web], [web.tls] and [web.basic_auth] in the config, and DSNs read from
// the files named by DATABASE_URL_FILE / PGCONN_DSN_FILE.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "config/config.h"
#include "config/secret_file.h"

using pgconn::config::Config;
using pgconn::config::ConfigError;
using pgconn::config::parse;

namespace {

// crypt("hunter2") with bcrypt cost 4.
const std::string kHash = "$2b$04$yiOhGgZH5uDJ4pSQu/1sjuNqX41v9v5QoJjvVEQW8ZBg8ZWrMqQ3i";
const std::string kTarget = "[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n";

std::string error_of(const std::string& text) {
  try {
    parse(text, "web.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// A file in a fresh temporary directory, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/pgconn-web-config-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/dsn";
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

}  // namespace

TEST(WebConfig, TlsAndBasicAuthTables) {
  Config c = parse("[web]\nmax_connections = 8\n[web.tls]\ncert_file = \"/etc/c.pem\"\nkey_file = \"/etc/k.pem\"\n"
                   "[web.basic_auth.users]\nprometheus = \"" + kHash + "\"\n\"grafana agent\" = \"" +
                       "$2y$" + kHash.substr(4) + "\"\n" + kTarget,
                   "web.toml");
  EXPECT_EQ(c.max_connections, 8);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->cert_file, "/etc/c.pem");
  EXPECT_EQ(c.tls->key_file, "/etc/k.pem");
  EXPECT_EQ(c.tls->min_version, "TLS12");
  ASSERT_EQ(c.basic_auth_users.size(), 2u);
  EXPECT_EQ(c.basic_auth_users.at("prometheus"), kHash);
  EXPECT_EQ(c.basic_auth_users.at("grafana agent").substr(0, 4), "$2y$");
}

TEST(WebConfig, DefaultsAreOffAndInlineUsersWork) {
  Config plain = parse(kTarget, "web.toml");
  EXPECT_FALSE(plain.tls);
  EXPECT_TRUE(plain.basic_auth_users.empty());
  EXPECT_EQ(plain.max_connections, 64);
  Config c = parse("[web.basic_auth]\nusers = { p = \"$2a$" + kHash.substr(4) + "\" }\n" +
                       "[web.tls]\ncert_file = \"c\"\nkey_file = \"k\"\nmin_version = \"TLS13\"\n" + kTarget,
                   "web.toml");
  EXPECT_EQ(c.basic_auth_users.count("p"), 1u);
  EXPECT_EQ(c.tls->min_version, "TLS13");
}

TEST(WebConfig, TlsErrorsNameTheKey) {
  EXPECT_EQ(error_of("[web.tls]\ncert_file = \"c\"\n" + kTarget), "web.toml:1:1: web.tls.key_file: is required");
  EXPECT_EQ(error_of("[web.tls]\ncert_file = \"c\"\nkey_file = \"k\"\nmin_version = \"TLS10\"\n" + kTarget),
            "web.toml:4:15: web.tls.min_version: must be \"TLS12\" or \"TLS13\"");
  EXPECT_EQ(error_of("[web.tls]\ncert_file = \"c\"\nkey_file = \"k\"\nclient_ca = \"x\"\n" + kTarget),
            "web.toml:4:1: web.tls.client_ca: unknown key");
  EXPECT_NE(error_of("[web]\nmax_connections = 0\n" + kTarget).find("web.max_connections: must be between 1"),
            std::string::npos);
}

TEST(WebConfig, BadHashesAreRejectedWithoutEchoingThem) {
  std::string e = error_of("[web.basic_auth.users]\nprometheus = \"hunter2-plain\"\n" + kTarget);
  EXPECT_EQ(e.rfind("web.toml:2:14: web.basic_auth.users.prometheus: expected a bcrypt hash", 0), 0u) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  for (const std::string& bad : {"$2x$" + kHash.substr(4), "$2b$03$" + kHash.substr(7), kHash.substr(0, 59),
                                 kHash.substr(0, 59) + "!", std::string("$1$") + kHash.substr(3)}) {
    e = error_of("[web.basic_auth.users]\nu = \"" + bad + "\"\n" + kTarget);
    EXPECT_NE(e.find("expected a bcrypt hash"), std::string::npos) << bad;
    EXPECT_EQ(e.find(bad), std::string::npos) << e;
  }
  EXPECT_NE(error_of("[web.basic_auth.users]\nu = 42\n" + kTarget).find("expected a bcrypt hash"), std::string::npos);
}

TEST(WebConfig, UserNamesAndEmptyUserLists) {
  EXPECT_NE(error_of("[web.basic_auth.users]\n\"a:b\" = \"" + kHash + "\"\n" + kTarget).find("without ':'"),
            std::string::npos);
  EXPECT_EQ(error_of("[web.basic_auth]\nusers = {}\n" + kTarget),
            "web.toml:2:9: web.basic_auth.users: needs at least one user: users = { name = \"bcrypt hash\" }");
  EXPECT_NE(error_of("[web.basic_auth]\n" + kTarget).find("web.basic_auth.users: needs at least one user"),
            std::string::npos);
  EXPECT_EQ(error_of("[web.basic_auth]\nuser = \"x\"\nusers = { a = \"" + kHash + "\" }\n" + kTarget),
            "web.toml:2:1: web.basic_auth.user: unknown key");
}

class DsnFileEnvironment : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* name : {"DATABASE_URL", "DATABASE_URL_FILE", "PGCONN_DSN", "PGCONN_DSN_FILE"}) ::unsetenv(name);
  }
};

TEST_F(DsnFileEnvironment, ReadsTheDsnFromTheFile) {
  TempFile file("postgresql://u:FileSecret@127.0.0.1:1/db\n");
  ::setenv("DATABASE_URL_FILE", file.path().c_str(), 1);
  Config c = pgconn::config::from_environment();
  ASSERT_EQ(c.targets.size(), 1u);
  EXPECT_EQ(c.targets[0].dsn, "postgresql://u:FileSecret@127.0.0.1:1/db");
  ::unsetenv("DATABASE_URL_FILE");
  ::setenv("PGCONN_DSN_FILE", file.path().c_str(), 1);
  EXPECT_EQ(pgconn::config::from_environment().targets[0].name, "default");
}

TEST_F(DsnFileEnvironment, ConflictsAndUnreadableFilesAreErrors) {
  TempFile file("host=h\n");
  ::setenv("DATABASE_URL", "host=h", 1);
  ::setenv("DATABASE_URL_FILE", file.path().c_str(), 1);
  try {
    pgconn::config::from_environment();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("set either DATABASE_URL or DATABASE_URL_FILE, not both"), std::string::npos);
  }
  clear();
  ::setenv("PGCONN_DSN_FILE", "/nonexistent/dsn", 1);
  try {
    pgconn::config::from_environment();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dsn:0:0: PGCONN_DSN_FILE: cannot read the file: No such file or directory");
  }
  TempFile empty("\n");
  ::setenv("PGCONN_DSN_FILE", empty.path().c_str(), 1);
  EXPECT_THROW(pgconn::config::from_environment(), ConfigError);
}

TEST_F(DsnFileEnvironment, InvalidDsnInAFileNeverEchoesItsPassword) {
  TempFile file("postgresql://u:FileSecret@[::1]x/db\n");
  ::setenv("DATABASE_URL_FILE", file.path().c_str(), 1);
  try {
    pgconn::config::from_environment();
    FAIL();
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("DATABASE_URL_FILE: invalid dsn"), std::string::npos) << message;
    EXPECT_EQ(message.find("FileSecret"), std::string::npos) << message;
  }
}

TEST(WebConfig, ReadHeaderTimeout) {
  EXPECT_EQ(parse(kTarget, "web.toml").read_header_timeout.count(), 5000);
  EXPECT_EQ(parse("[web]\nread_header_timeout = \"750ms\"\n" + kTarget, "web.toml").read_header_timeout.count(), 750);
  EXPECT_EQ(error_of("[web]\nread_header_timeout = \"50ms\"\n" + kTarget),
            "web.toml:2:23: web.read_header_timeout: must be between 100ms and 10m");
  EXPECT_EQ(error_of("[web]\nread_header_timeout = 5\n" + kTarget).rfind("web.toml:2:23: web.read_header_timeout: ", 0), 0u);
}

TEST(SecretFile, OneTrailingNewlineOrCrlfIsDropped) {
  std::string reason;
  for (auto [content, expected] : {std::pair{"pw\r\n", "pw"}, {"pw\n", "pw"}, {"pw", "pw"}, {"pw\n\n", "pw\n"},
                                   {"pw\r", "pw\r"}, {"p w\t\r\n", "p w\t"}}) {
    TempFile file(content);
    EXPECT_EQ(pgconn::config::read_secret_file(file.path(), &reason), expected) << content;
  }
  TempFile big(std::string(64 * 1024 + 1, 'x'));
  EXPECT_FALSE(pgconn::config::read_secret_file(big.path(), &reason));
  EXPECT_EQ(reason, "the file is larger than 64 KiB");
  EXPECT_FALSE(pgconn::config::read_secret_file("/dev/zero", &reason));
  EXPECT_EQ(reason, "the file is not a regular file");
}
