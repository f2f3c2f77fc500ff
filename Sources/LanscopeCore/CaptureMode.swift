/// Where lanscope sits on the LAN, which decides what the kernel side counts.
public enum CaptureMode: String, Sendable, CaseIterable {
    /// On the gateway: ingress counts source MACs as transmitting, egress destination MACs as receiving.
    case gateway
    /// On a mirror/SPAN port: frames between other devices pass by, so ingress also counts the
    /// destination MAC as receiving.
    case span
    /// On an ordinary host: counted like `gateway`, seeing only the host's own conversations.
    case host
}
