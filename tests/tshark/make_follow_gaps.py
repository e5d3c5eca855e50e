#!/usr/bin/env python3
# Writes follow_gaps.pcap: two small TCP streams that exercise what Follow
# TCP Stream must get right and the corpus rarely shows: sequence numbers
# that wrap, a segment that arrives before the one it follows, a
# retransmission that carries more than the first time, a hole the receiver
# acknowledges (a gap), a hole nobody acknowledges (a held tail), and a
# stream seen without its SYN, and a chunked HTTP response cut in awkward
# places. test_follow_tshark compares it with tshark.
#   usage: make_follow_gaps.py OUT.pcap
import struct, sys
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2),b)); s=(s>>16)+(s&0xffff); s+=s>>16
    return (~s)&0xffff
def ip4(a): return bytes(int(x) for x in a.split('.'))
def tcp(src,dst,sp,dp,seq,ack,flags,data=b''):
    hdr=struct.pack('!HHIIBBHHH',sp,dp,seq&0xffffffff,ack&0xffffffff,5<<4,flags,65535,0,0)
    ph=ip4(src)+ip4(dst)+struct.pack('!BBH',0,6,len(hdr)+len(data))
    c=csum(ph+hdr+data); hdr=hdr[:16]+struct.pack('!H',c)+hdr[18:]
    seg=hdr+data
    iph=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(seg),1,0,64,6,0,ip4(src),ip4(dst))
    iph=iph[:10]+struct.pack('!H',csum(iph))+iph[12:]
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'+iph+seg
S=0x10;P=0x08;SYN=0x02;FIN=0x01
pk=[]
C,Sv='10.0.0.1','10.0.0.2'
def c2s(seq,ack,fl,d=b''): pk.append(tcp(C,Sv,40000,80,seq,ack,fl,d))
def s2c(seq,ack,fl,d=b''): pk.append(tcp(Sv,C,80,40000,seq,ack,fl,d))
cs=0xfffffff0; ss=0x80000000  # client seq wraps; server seq high
c2s(cs,0,SYN); s2c(ss,cs+1,SYN|S); c2s(cs+1,ss+1,S)
c2s(cs+1,ss+1,S|P,b'GET /a HTTP/1.1\r\nHost: x\r\n\r\n')   # 28 bytes
n=cs+1+28
s2c(ss+1,n,S|P,b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
m=ss+1+47
s2c(m+10,n,S|P,b'0123456789')        # out of order (m..m+10 missing for now)
s2c(m,n,S|P,b'5\r\nhello\r\n')         # fills the hole (10 bytes)
s2c(m+5,n,S|P,b'ello\r\n0123456789ABCDE')  # retransmission with 5 new bytes
m+=25
s2c(m+20,n,S|P,b'after a hole')       # hole of 20 bytes, acked later
c2s(n,m+20+12,S)                      # client acks beyond hole -> gap
c2s(n,m+32,S|P,b'second request')
n+=14
s2c(m+40,n,S|P,b'never acked tail')   # held: hole m+32..m+40
c2s(n,m+32,S|FIN)
# second stream: UDP-ish? keep TCP: a stream without SYN
C,Sv='10.0.0.3','10.0.0.4'
def c2(seq,ack,fl,d=b''): pk.append(tcp(C,Sv,5555,6666,seq,ack,fl,d))
def s2(seq,ack,fl,d=b''): pk.append(tcp(Sv,C,6666,5555,seq,ack,fl,d))
c2(1000,5000,S|P,b'abc'); s2(5000,1003,S|P,b'xyz'); c2(1003,5003,S|P,b'def'); c2(1000,5003,S|P,b'abcdefghi')
# third stream: an HTTP/1.1 response with a chunked body, cut across
# segments in awkward places (inside a chunk-size line, inside a CRLF)
C,Sv='10.0.0.5','10.0.0.6'
def c3(seq,ack,fl,d=b''): pk.append(tcp(C,Sv,41000,80,seq,ack,fl,d))
def s3(seq,ack,fl,d=b''): pk.append(tcp(Sv,C,80,41000,seq,ack,fl,d))
c3(100,0,SYN); s3(900,101,SYN|S); c3(101,901,S)
req=b'GET /c HTTP/1.1\r\nHost: example\r\n\r\n'
c3(101,901,S|P,req)
resp=(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n'
      b'7\r\nchunked\r\n1a\r\n body, de-chunked for you\n\r\n'
      b'5;ext=1\r\n done\r\n0\r\n\r\n')
cuts=[0,70,84,90,resp.index(b'5;ext')+2,len(resp)]
for a,b in zip(cuts,cuts[1:]):
    s3(901+a,101+len(req),S|P,resp[a:b])
with open(sys.argv[1],'wb') as f:
    f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))
    for i,p in enumerate(pk):
        f.write(struct.pack('<IIII',1700000000+i,0,len(p),len(p))); f.write(p)
