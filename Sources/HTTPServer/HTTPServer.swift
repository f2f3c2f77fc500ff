/// HTTPServer — see ARCHITECTURE.md.
enum HTTPServerModule {}
