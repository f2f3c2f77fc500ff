import LanscopeCore

/// What devices give away as clients — DHCPv6 requests, TCP SYNs, DNS queries, TLS ClientHellos,
/// HTTP request heads — and which MAC each fact is about: always the frame's sender, and only when
/// the sender originated the packet (see `isFromSender`).
extension FrameDecoder {
    /// True when the packet still has the TTL/hop limit a stack starts with (32, 64, 128, 255).
    /// A router forwarding a remote host's packet decrements it (RFC 791 §3.2, RFC 8200 §3) and
    /// becomes the frame's sender: the SYN, query or request then describes the remote host, not
    /// the router, and is not attributed to anyone.
    @inline(__always)
    func isFromSender(_ context: Context) -> Bool {
        let ttl = context.hopLimit
        return ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32
    }

    /// A TCP SYN without ACK (RFC 9293 §3.5): the sender's stack chose its window, options and TTL.
    func decodeSYN(
        _ tcp: TCPHeader, _ headerStart: ByteReader, _ result: inout DecodeResult, _ context: inout Context,
        source: IPAddress
    ) {
        result.discovery = .tcp
        var reader = headerStart
        let optionLength = tcp.headerLength - 20
        let signature: TCPSignature
        do throws(DecodeError) {
            try reader.skip(20)
            // Options cut by the snap length would give a shorter list that looks complete.
            guard reader.remaining >= optionLength else {
                throw .truncated(offset: reader.offset, needed: optionLength, available: reader.remaining)
            }
            let ipVersion: UInt8
            if case .v4 = source { ipVersion = 4 } else { ipVersion = 6 }
            signature = try TCPSignature(
                ipVersion: ipVersion, ttl: context.hopLimit, dontFragment: context.dontFragment, window: tcp.window,
                parsingOptions: try reader.readBuffer(optionLength))
        } catch {
            result.error = DecodeFailure(layer: .tcp, error: error)
            return
        }
        guard isFromSender(context) else { return }
        emit(.tcpSignature(signature), about: context.sender, &result, context)
    }

    /// A TCP SYN-ACK (RFC 9293 §3.5): its sender accepts connections on the source port — a service it
    /// runs whether or not it announces it (a printer's IPP or raw-print port, a camera's RTSP). Kept
    /// as a `.service` with `via: .tcp`, type `tcp/PORT`; like the SYN, only from the host that sent it.
    func decodeSYNACK(_ tcp: TCPHeader, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .tcp
        guard isFromSender(context) else { return }
        let port = tcp.sourcePort
        emit(
            .service(ServiceAdvertisement(via: .tcp, type: ServiceAdvertisement.tcpServerType(port), port: port)),
            about: context.sender, &result, context)
    }

    /// The first bytes of a TCP payload: a TLS ClientHello (content type 22, handshake type 1,
    /// whatever the port) or an HTTP/1.x request head. Anything else returns without allocating.
    /// A hello or head that continues in the next segment gives what this one holds (a hello
    /// without its JA4); a frame cut by the snap length gives nothing, like every other decoder.
    func decodeTCPPayload(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        if TLSClientHello.looksLikeClientHello(payload) {
            result.discovery = .tls
            guard !context.isCut else {
                result.error = DecodeFailure(layer: .tls, error: context.cutError)
                return
            }
            guard let hello = parsed(.tls, &result, { () throws(DecodeError) in try TLSClientHello(parsing: payload) })
            else { return }
            // A hello cut before its SNI and ALPN says nothing yet.
            guard isFromSender(context), hello.isComplete || hello.serverName != nil || !hello.alpn.isEmpty else {
                return
            }
            emit(.tlsClient(hello.fingerprint), about: context.sender, &result, context)
        } else if HTTPRequestHead.looksLikeRequest(payload) {
            // Not every upper-case line is HTTP (SMTP, FTP, RTSP...): only a valid HTTP/1.x request
            // line counts, and anything else is silently not ours.
            guard let head = HTTPRequestHead(parsing: payload) else { return }
            result.discovery = .http
            guard !context.isCut else {
                result.error = DecodeFailure(layer: .http, error: context.cutError)
                return
            }
            guard isFromSender(context), head.userAgent != nil || head.host != nil else { return }
            emit(.httpClient(head.fingerprint), about: context.sender, &result, context)
        }
    }

    /// DHCPv6 (RFC 8415): a client message (SOLICIT, REQUEST, CONFIRM, RENEW, REBIND,
    /// INFORMATION-REQUEST) is sent by the client itself, link-locally, even when a relay forwards
    /// it on: its DUID, ORO, vendor class and FQDN describe the frame's sender. Server messages
    /// teach nothing here: a REPLY may reach the client through a relay (the frame's destination is
    /// then the relay), and the addresses it assigns belong to a DUID, not to a MAC. Relay messages
    /// carry another device's message and are skipped.
    func decodeDHCPv6(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .dhcpv6
        guard let message = parsed(.dhcpv6, &result, { () throws(DecodeError) in try DHCPv6Message(parsing: payload) })
        else { return }
        guard let fingerprint = message.clientFingerprint else { return }
        emit(.dhcpv6Client(fingerprint), about: context.sender, &result, context)
        if let name = message.hostname { emit(.hostname(name, via: .dhcpv6), about: context.sender, &result, context) }
    }

    /// A unicast DNS query (QR = 0, opcode QUERY) to port 53 names what its sender looks up; a
    /// response, or a query a router forwarded, describes no one here.
    func decodeDNSQuery(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .dns
        // Names are read straight from the wire (a query repeats a few names all day); a name
        // outside ASCII takes the general path, which lower-cases as Unicode does.
        guard let kept = parsed(.dns, &result, { () throws(DecodeError) in try DNSQuery.keptNames(parsing: payload) })
        else { return }
        guard kept.isStandardQuery, isFromSender(context) else { return }
        guard !kept.general else {
            guard let query = try? DNSQuery(parsing: payload) else { return }
            for question in query.questions {
                if let name = DNSQuery.keptName(question.name) {
                    emit(.dnsQuery(name), about: context.sender, &result, context)
                }
            }
            return
        }
        if let first = kept.first { emit(.dnsQuery(first), about: context.sender, &result, context) }
        for name in kept.rest { emit(.dnsQuery(name), about: context.sender, &result, context) }
    }
}
