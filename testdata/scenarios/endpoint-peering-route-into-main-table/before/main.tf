# Two peered VPCs. VPC `data` (10.0.0.0/16) holds a PostgreSQL server in subnet `db`,
# which has no route table association: it uses the VPC's main route table (the local
# route only). VPC `apps` (10.1.0.0/16) holds an application server whose route table
# already sends 10.0.0.0/16 over the peering. The database's group admits tcp 5432
# from the apps VPC's block; without a route back from `data`, no connection works.

resource "aws_vpc" "data" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "apps" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc_peering_connection" "apps_data" {
  vpc_id      = aws_vpc.apps.id
  peer_vpc_id = aws_vpc.data.id
  auto_accept = true
}

resource "aws_subnet" "db" {
  vpc_id     = aws_vpc.data.id
  cidr_block = "10.0.2.0/24"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.apps.id
  cidr_block = "10.1.1.0/24"
}

resource "aws_route_table" "apps" {
  vpc_id = aws_vpc.apps.id

  route {
    cidr_block                = "10.0.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.apps_data.id
  }
}

resource "aws_route_table_association" "app" {
  subnet_id      = aws_subnet.app.id
  route_table_id = aws_route_table.apps.id
}

resource "aws_security_group" "db" {
  name        = "db"
  description = "postgres from the apps VPC"
  vpc_id      = aws_vpc.data.id

  ingress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["10.1.0.0/16"]
  }
  # no egress
}

resource "aws_security_group" "app" {
  name        = "app"
  description = "postgres to the data VPC"
  vpc_id      = aws_vpc.apps.id

  egress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_instance" "db" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.db.id
  private_ip             = "10.0.2.10"
  vpc_security_group_ids = [aws_security_group.db.id]
}

resource "aws_instance" "app" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  private_ip             = "10.1.1.10"
  vpc_security_group_ids = [aws_security_group.app.id]
}
