// Loading the HTTPS certificate and key (files made with the openssl CLI in a
// temporary directory) and the SSL_CTX settings.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>

#include "web/tls.h"

using pgconn::web::TlsCredentials;

namespace {

class TlsFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/pgconn-tls-unit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    for (std::string name : {"a", "b"}) {
      run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" + name +
          " -keyout " + dir_ + "/" + name + ".key -out " + dir_ + "/" + name + ".crt");
    }
    run("openssl pkey -in " + dir_ + "/a.key -aes256 -passout pass:pw -out " + dir_ + "/a-encrypted.key");
  }
  static void TearDownTestSuite() { run("rm -rf " + dir_); }
  static void run(const std::string& command) {
    ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
  }
  static std::string path(const std::string& name) { return dir_ + "/" + name; }
  static std::string dir_;
};
std::string TlsFiles::dir_;

}  // namespace

TEST_F(TlsFiles, LoadsAMatchingPair) {
  TlsCredentials tls;
  std::string error;
  EXPECT_TRUE(tls.load(path("a.crt"), path("a.key"), &error)) << error;
}

TEST_F(TlsFiles, ExplainsWhatIsWrongWithoutKeyMaterial) {
  TlsCredentials tls;
  std::string error;
  EXPECT_FALSE(tls.load(path("missing.crt"), path("a.key"), &error));
  EXPECT_NE(error.find("cannot read cert_file " + path("missing.crt")), std::string::npos) << error;
  EXPECT_FALSE(tls.load(path("a.key"), path("a.key"), &error));
  EXPECT_NE(error.find("holds no PEM certificate"), std::string::npos) << error;
  EXPECT_FALSE(tls.load(path("a.crt"), path("b.key"), &error));
  EXPECT_NE(error.find("does not belong to the certificate"), std::string::npos) << error;
  EXPECT_EQ(error.find("PRIVATE KEY"), std::string::npos) << error;
  // An encrypted key fails at once instead of prompting for a pass phrase.
  EXPECT_FALSE(tls.load(path("a.crt"), path("a-encrypted.key"), &error));
  EXPECT_NE(error.find("holds no unencrypted PEM private key"), std::string::npos) << error;
}

TEST_F(TlsFiles, ConfiguresTheMinimumVersion) {
  TlsCredentials tls;
  for (auto [name, version] : {std::pair<const char*, int>{"TLS12", TLS1_2_VERSION}, {"TLS13", TLS1_3_VERSION}}) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    ASSERT_TRUE(tls.configure(*ctx, name));
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), version) << name;
    EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
    SSL_CTX_free(ctx);
  }
}
