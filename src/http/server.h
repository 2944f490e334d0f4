// HTTP routes only: every handler asks the App for a view and hands it to a
// renderer. Nothing here touches a database.
#pragma once

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace pgconn {

class App;

class HttpServer {
 public:
  explicit HttpServer(App& app);
  ~HttpServer();
  // Binds "host:port"; returns false with a reason when it cannot.
  bool bind(const std::string& listen_address, std::string* error);
  void serve();  // blocks until stop()
  void stop();

 private:
  App& app_;
  std::unique_ptr<httplib::Server> server_;
  int listen_socket_ = -1;
};

}  // namespace pgconn
