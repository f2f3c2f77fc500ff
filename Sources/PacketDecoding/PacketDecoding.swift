/// PacketDecoding — see ARCHITECTURE.md.
enum PacketDecodingModule {}
