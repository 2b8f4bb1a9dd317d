# The VPC's default network ACL is not managed: AWS default rules apply
# (inbound and outbound rule 100 allow all from/to 0.0.0.0/0; the VPC has no
# IPv6 block, so there is no rule 101 for ::/0).
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.5.0/24"
}
